"""Walking a SIP case through the routine by its public Python interface, as staff would."""

from __future__ import annotations

from datetime import UTC, datetime

from engine.calendar import SWEDISH_TIME
from engine.services import cases
from engine.store.identity import HUVUDMAN_KINDS

KOMMUN = {"namn": "Eva Ek", "organisation": "Kristianstads kommun, hemtjänst Norr", "huvudmannatyp": "kommun_sol",
          "yrke": "Biståndshandläggare", "kontakt": "044-13 50 00"}
VARDCENTRAL = {"namn": "Per Berg", "organisation": "Region Skåne, vårdcentral Näsby", "huvudmannatyp": "primarvard",
               "yrke": "Distriktssköterska", "kontakt": "044-30 90 00"}
HEMSJUKVARD = {"namn": "Lisa Lund", "organisation": "Kristianstads kommun, hemsjukvården",
               "huvudmannatyp": "kommunal_halso_och_sjukvard", "yrke": "Sjuksköterska", "kontakt": "044-13 51 00"}
PSYKIATRI = {"namn": "Omar Ali", "organisation": "Region Skåne, psykiatrisk öppenvård", "huvudmannatyp": "psykiatri"}
SKOLA = {"namn": "Sara Sten", "organisation": "Näsby skola", "huvudmannatyp": "skola"}
DELTAGARE = [KOMMUN, VARDCENTRAL]


def register_organisations(region: str, *participants: dict) -> None:
    """Make the participants' organisations ones the region's registry knows: where the registry knows any, the
    summons offers only those (organisationsFrom)."""
    from engine.database import db
    from engine.identity import ensure_organisation

    for participant in participants:
        ensure_organisation(participant["organisation"], participant["huvudmannatyp"], region)
    db.session.commit()


class CaseWalk:
    def __init__(self, case_id: str):
        self.case_id = case_id

    @classmethod
    def start(cls, region: str = "base", **variables) -> CaseWalk:
        variables.setdefault("huvudperson", {"namn": "Anna Andersson"})
        case = cases.start_case(region, variables, person_name=variables["huvudperson"]["namn"])
        return cls(case.id)

    @property
    def case(self):
        return cases.get_case(self.case_id)

    def tasks(self):
        return cases.open_tasks(self.case_id)

    def names(self) -> list[str]:
        return sorted(t.name for t in self.tasks())

    def task(self, name: str, group: str | None = None):
        found = [t for t in self.tasks() if t.name == name and (group is None or t.candidate_group == group)]
        assert found, f"no open task {name} ({group}); open: {[(t.name, t.candidate_group) for t in self.tasks()]}"
        return found[0]

    def do(self, name: str, data: dict, group: str | None = None):
        return cases.complete_task(self.task(name, group).id, data, actor="test")

    def each(self, name: str, data_for):
        """Complete every open task `name`, with data chosen per candidate group."""
        for task in [t for t in self.tasks() if t.name == name]:
            cases.complete_task(task.id, data_for(task.candidate_group), actor="test")

    # -- the routine, stage by stage --------------------------------------------------------------
    def initiate(self, initierad_av: str = "kommun"):
        self.do("bedom_behov_av_sip", {
            "initierad_av": initierad_av, "huvudperson": {"namn": "Anna Andersson", "alder": 82},
            "samordningsansvarig": KOMMUN, "sip_behovs": True,
        })
        return self

    def consent(self, huvudman=HUVUDMAN_KINDS, informationsutbyte: bool = True):
        """Consent to the SIP, to information exchange (unless told) and to the huvudmän of the kinds given (all,
        unless told)."""
        data = {"samtycke": "givet", "samtycke_datum": "2026-11-27", "samtycke_informationsutbyte": informationsutbyte}
        if informationsutbyte:
            data["samtycke_huvudman"] = list(huvudman)
        self.do("inhamta_samtycke", data)
        return self

    def prepare(self, deltagare=None, tjanstemannamote: bool = True, datum: str = "2026-12-10"):
        self.do("forbered_sip", {
            "deltagare": deltagare or DELTAGARE, "motesdatum_planerat": datum, "motestid": "10:00",
            "motesplats": "Näsby vårdcentral", "tjanstemannamote_behovs": tjanstemannamote,
        })
        return self

    def acknowledge_all(self):
        self.each("kvittera_kallelse", lambda group: {"kommer": True, "namn": "Företrädare", "kartlaggning": "Nuläge"})
        return self

    def premeeting(self, **extra):
        data = {"ordforande": {"namn": "Eva Ek", "organisation": KOMMUN["organisation"]},
                "samordning_flyttas": False, "mobilt_vardteam_aktuellt": False}
        data.update(extra)
        self.do("genomfor_tjanstemannamote", data)
        return self

    def meeting(self, motesdatum: str = "2026-12-10", uppfoljningsdatum: str = "2027-06-10", **extra):
        data = {"motesdatum": motesdatum, "huvudmal": "Anna bor kvar hemma och känner sig trygg",
                "mal": [{"mal": "Trygg i hemmet", "delmal": ["Larm installerat"]}],
                "overgripande_ansvar": KOMMUN["organisation"], "uppfoljningsdatum": uppfoljningsdatum,
                "den_enskilde_informerad": True,
                "ovriga_aktorers_insatser": [
                    {"aktor": "Dottern Maria", "insats": "Handlar mat", "hur_ofta": "Varje vecka"}]}
        data.update(extra)
        self.do("genomfor_sip_mote", data)
        return self

    def document_all(self):
        def data_for(group):
            if group == VARDCENTRAL["organisation"]:
                return {"ingen_insats": True, "ingen_insats_motivering": "Inga nya insatser behövs från vårdcentralen"}
            return {"insatser": [{"insats": "Hemtjänst morgon och kväll", "hur_ofta": "Dagligen", "nar": "07 och 19",
                                  "var": "Hemma", "ansvarig": "Hemtjänst Norr"}]}
        self.each("dokumentera_ataganden", data_for)
        return self

    def approve_all(self):
        self.each("godkann_plan", lambda group: {"godkand": True})
        return self

    def print_plan(self):
        self.do("skriv_ut_plan", {"kopia_erbjuden": True, "kopia_i_hemmet": True, "kopia_for_personal": True})
        return self

    def to_plan(self, **meeting):
        return (self.initiate().consent().prepare().acknowledge_all().premeeting().meeting(**meeting)
                .document_all().approve_all().print_plan())

    def follow_up(self, datum: str, **answers):
        data = {"uppfoljning_genomford": datum, "mal_uppfyllda": False, "behov_av_samordning": True,
                "avliden": False, "samtycke_aterkallat": False, "nya_risker_eller_mal": False}
        data.update(answers)
        self.do("genomfor_uppfoljning", data)
        self.each("kvittera_uppfoljning", lambda group: {"kvitterat": True})  # each participant knows of it
        return self

    def close(self):
        # The reason the follow-up or the withdrawal recorded, as the form shows it filled in.
        self.do("dokumentera_avslut", {"avslutsorsak": self.case.data["avslutsorsak"], "avslutsdatum": "2027-06-20",
                                       "den_enskilde_informerad": True})
        self.each("kvittera_avslut", lambda group: {"kvitterat": True})
        return self


def in_sweden(moment: datetime) -> str:
    """A stored moment (naive ones are UTC) as Swedish time: "2027-06-10T00:00:00+02:00"."""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return aware.astimezone(SWEDISH_TIME).isoformat()
