"""Stockholm's own decision tables in processes/regions/stockholm/dmn, run by the product's engine as a case runs
them: the status of each requirement of the summons (kallelse_kravstatus), which the summons' check reads."""

import itertools

import pytest
from lxml import etree

from .conftest import ROUTINE_DMN, Decider, make_parser

STOCKHOLM_DMN = ROUTINE_DMN.parent / "regions" / "stockholm" / "dmn"


@pytest.fixture(scope="module")
def stockholm():
    return Decider(make_parser(*sorted(STOCKHOLM_DMN.glob("*.dmn"))))


def status(stockholm, antal_kallade, samtycke_finns, samtycke_saknas_dokumenterat):
    kravet = {"antal_kallade": antal_kallade, "samtycke_finns": samtycke_finns,
              "samtycke_saknas_dokumenterat": samtycke_saknas_dokumenterat}
    return stockholm("kallelse_kravstatus", kravet=kravet)["kravstatus"]


def test_the_requirement_status_table_is_feel_and_dmn_13_with_its_shape(stockholm):
    table = stockholm.parser.get_decision_table("kallelse_kravstatus")
    assert (table.language, table.hit_policy, len(table.rules)) == ("feel", "UNIQUE", 4)
    root = etree.parse(str(STOCKHOLM_DMN / "kallelse_kravstatus.dmn")).getroot()
    ns = {"dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/",
          "dmndi": "https://www.omg.org/spec/DMN/20191111/DMNDI/"}
    assert [s.get("dmnElementRef") for s in root.xpath(".//dmndi:DMNShape", namespaces=ns)] == ["kallelse_kravstatus"]


@pytest.mark.parametrize("antal_kallade, samtycke_finns, samtycke_saknas_dokumenterat, expected", [
    # Summoned: the requirement is met, whatever the consent and the documentation say.
    (1, True, False, "kallad"),
    (3, False, True, "kallad"),
    # None summoned, but the family consents to a kind that meets it: the coordinator can summon one.
    (0, True, False, "ej_kallad"),
    (0, True, True, "ej_kallad"),
    # None summoned, no consent, and the family's refusal documented: the requirement does not apply.
    (0, False, True, "samtycke_saknas"),
    # None summoned, no consent, nothing documented: the coordinator goes back to the family.
    (0, False, False, "utan_samtycke"),
])
def test_each_status_comes_from_its_row(stockholm, antal_kallade, samtycke_finns, samtycke_saknas_dokumenterat,
                                        expected):
    assert status(stockholm, antal_kallade, samtycke_finns, samtycke_saknas_dokumenterat) == expected


def test_every_summons_gets_exactly_one_status_as_the_routine_defines_it(stockholm):
    """Over every count and answer, one row holds (UNIQUE refuses two) and gives the status the routine defines:
    summoned, else consent to summon one, else documented, else not."""
    for antal, samtycke, dokumenterat in itertools.product([0, 1, 2, 5], [True, False], [True, False]):
        expected = ("kallad" if antal > 0 else "ej_kallad" if samtycke
                    else "samtycke_saknas" if dokumenterat else "utan_samtycke")
        assert status(stockholm, antal, samtycke, dokumenterat) == expected, (antal, samtycke, dokumenterat)


def test_the_summons_check_reads_the_statuses(stockholm):
    """What the statuses lead to in Stockholm's kallelse_krav: a requirement without consent stops the summons for
    the family's answer; one whose missing consent is documented no longer does."""
    without = stockholm("kallelse_krav", krav_hsl="utan_samtycke", krav_sol_lss="kallad", krav_oppenvard="kallad")
    assert (without["kallelse_komplett"], without["kallelse_utan_samtycke"]) == (False, True)
    documented = stockholm("kallelse_krav", krav_hsl="samtycke_saknas", krav_sol_lss="kallad",
                           krav_oppenvard="kallad")
    assert documented == {"kallelse_komplett": True, "kallelse_saknas": "", "kallelse_utan_samtycke": False}
