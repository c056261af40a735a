"""SIP-kollen, Stockholm's short feedback after the SIP meeting ("Erbjud även huvudpersonen att tycka till om
upplevelsen av mötet med hjälp av enkäten SIP-kollen. Ge akt på hur huvudpersonen upplevde mötet."): a few
questions in easy Swedish, each answered yes, partly or no, and a free comment.

It is offered where the case's routine reaches the step that offers it (the user task `sip_kollen` of
Stockholm's meeting), once per person and once per guardian. The answers reach the case as a row of its
history (kind `sip_kollen`), which the coordinator reads on the case page."""

from __future__ import annotations

OFFERING_TASK = "sip_kollen"
QUESTIONS = [
    ("lyssnad_pa", "Lyssnade de andra på dig på mötet?"),
    ("fick_saga_sitt", "Fick du säga det du ville säga?"),
    ("forstod", "Förstod du det vi pratade om?"),
    ("vet_vem_gor_vad", "Vet du nu vem som ska göra vad?"),
    ("vet_vem_ringa", "Vet du vem du ska ringa om något inte fungerar?"),
]
ANSWERS = [("ja", "Ja"), ("delvis", "Delvis"), ("nej", "Nej")]
COMMENT = "ovrigt"
COMMENT_LABEL = "Vill du säga något mer om mötet? (du behöver inte skriva något)"
COMMENT_MAX = 2000


def check(form) -> tuple[dict, list[dict]]:
    """The answers from a submitted form, and the errors, one per field that needs another answer (Swedish)."""
    answers, errors = {}, []
    allowed = {value for value, _ in ANSWERS}
    for name, _ in QUESTIONS:
        value = form.get(name)
        if value not in allowed:
            errors.append({"field": name, "message": "Välj ja, delvis eller nej."})
        else:
            answers[name] = value
    comment = (form.get(COMMENT) or "").strip()
    if len(comment) > COMMENT_MAX:
        errors.append({"field": COMMENT, "message": f"Skriv högst {COMMENT_MAX} tecken."})
    elif "\x00" in comment:
        errors.append({"field": COMMENT, "message": "Texten har ett tecken som inte går att spara."})
    answers[COMMENT] = comment
    return answers, errors


def summary(answers: dict) -> str:
    """The answers as one text for staff: question, answer; then the comment."""
    words = dict(ANSWERS)
    parts = [f"{question} {words.get(answers.get(name), '–')}." for name, question in QUESTIONS]
    if answers.get(COMMENT):
        parts.append(f"Övrigt: {answers[COMMENT]}")
    return " ".join(parts)
