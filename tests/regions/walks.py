"""Regional ways of walking a case, built on the base routine's CaseWalk."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from tests.routine.walk import KOMMUN, VARDCENTRAL, CaseWalk

# Criteria for the mobile care team, exactly 4 of 6 (age not among them).
ELIGIBLE = {"kroniska_diagnoser": 4, "inlaggningar_12_man": 3, "staende_lakemedel": 8,
            "klarar_personlig_omvardnad": False, "alder": 74, "hemsjukvard": False}

BUP = {"namn": "Nora Berg", "organisation": "Region Stockholm, BUP Södermalm", "huvudmannatyp": "psykiatri",
       "yrke": "Psykolog", "kontakt": "08-123 450 00"}
SOCIALTJANST_BARN = {"namn": "Ali Haddad", "organisation": "Stockholms stad, socialtjänsten barn och unga",
                     "huvudmannatyp": "kommun_sol", "yrke": "Socialsekreterare", "kontakt": "08-508 000 00"}
SKOLA_STHLM = {"namn": "Lena Holm", "organisation": "Eriksdalsskolan, elevhälsan", "huvudmannatyp": "skola",
               "yrke": "Kurator", "kontakt": "08-508 400 00"}
GUARDIANS = [{"namn": "Sofia Lind", "kontakt": "070-111 22 33"}]


def local_day(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo("Europe/Stockholm")).date().isoformat()


def local_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo("Europe/Stockholm")).strftime("%H:%M")


class KristianstadWalk(CaseWalk):
    """Kristianstad: no choice about the officials' pre-meeting; the mobile care team criteria always asked."""

    @classmethod
    def start(cls, region: str = "kristianstad", **variables) -> KristianstadWalk:
        return super().start(region, **variables)

    def prepare(self, deltagare=None, datum: str = "2026-12-10", **extra):
        data = {"deltagare": deltagare or [KOMMUN, VARDCENTRAL], "motesdatum_planerat": datum, "motestid": "10:00",
                "motesplats": "Hemma hos Anna", "tjanstemannamote_forslag": "2026-12-08 kl 13, Näsby vårdcentral"}
        data.update(extra)
        self.do("forbered_sip", data)
        return self

    def premeeting(self, **extra):
        data = {"ordforande": {"namn": "Eva Ek", "organisation": KOMMUN["organisation"]},
                "samordning_flyttas": False, **ELIGIBLE, "kroniska_diagnoser": 1}  # 3 of 6 unless told
        data.update(extra)
        self.do("genomfor_tjanstemannamote", data)
        return self


class VastbusWalk(CaseWalk):
    """Västra Götaland (Västbus): a child, guardians, the child's participation, school when Västbus."""

    @classmethod
    def start(cls, region: str = "vastra_gotaland", **variables) -> VastbusWalk:
        variables.setdefault("huvudperson", {"namn": "Elias Strand"})
        return super().start(region, **variables)

    def prepare(self, deltagare=None, **extra):
        data = {"deltagare": deltagare or [SOCIALTJANST_BARN, BUP, SKOLA_STHLM], "vastbus_malgrupp": True,
                "vardnadshavare": [{"namn": "Sofia Strand", "relation": "Mamma"}],
                "barnets_delaktighet": "del_av_motet",
                "barnets_delaktighet_motivering": "Elias är 12 år och vill vara med i början och berätta själv",
                "motesdatum_planerat": "2026-12-10", "motestid": "14:00", "motesplats": "Skolan",
                "tjanstemannamote_behovs": False}
        data.update(extra)
        self.do("forbered_sip", data)
        return self


class StockholmWalk(CaseWalk):
    """Stockholm: pre-meeting with the family, optional pre-meeting of the services, five-part meeting."""

    @classmethod
    def start(cls, region: str = "stockholm", **variables) -> StockholmWalk:
        variables.setdefault("huvudperson", {"namn": "Maja Lind"})
        return super().start(region, **variables)

    def initiate(self, initierad_av: str = "kommun"):
        self.do("bedom_behov_av_sip", {
            "initierad_av": initierad_av, "huvudperson": {"namn": "Maja Lind", "alder": 14},
            "samordningsansvarig": SOCIALTJANST_BARN, "sip_behovs": True})
        return self

    def family_premeeting(self, **extra):
        data = {"installning": "positiv", "vardnadshavare": GUARDIANS, "samtycke_skriftligt": True,
                "samtycke_datum": "2026-11-27", "barnets_delaktighet": "Maja är med hela mötet och börjar berätta",
                "fragestallning": "Hur kan Maja komma tillbaka till skolan?",
                "deltagare": [SOCIALTJANST_BARN, BUP, SKOLA_STHLM], "motesdatum_planerat": "2026-12-10",
                "motestid": "15:00", "moteslangd": "90 minuter", "motesplats": "Eriksdalsskolan",
                "motesform": "fysiskt", "information_lamnad": ["information_om_sip", "folder_13_18"]}
        data.update(extra)
        self.do("formote_med_familjen", data)
        return self

    def consent(self):
        return self.family_premeeting()

    def meeting(self, motesdatum: str = "2026-12-10", uppfoljningsdatum: str = "2027-03-10"):
        ordforande = {"namn": "Ali Haddad", "organisation": SOCIALTJANST_BARN["organisation"]}
        sekreterare = {"namn": "Lena Holm", "organisation": SKOLA_STHLM["organisation"]}
        self.do("mote_inledning", {"motesdatum": motesdatum, "ordforande": ordforande, "sekreterare": sekreterare,
                                   "huvudpersonen_deltar": "hela_motet", "den_enskilde_informerad": True})
        self.do("mote_aktuell_situation", {"nuvarande_situation": "Maja har inte varit i skolan sedan oktober",
                                           "fungerar_bra": "Fotbollen två gånger i veckan"})
        self.do("mote_behov", {"huvudmal": "Maja går i skolan igen",
                               "mal": [{"mal": "Maja är i skolan tre dagar i veckan", "sikt": "kort",
                                        "matbart": "Närvaron i skolan i februari"}],
                               "familjens_egna_insatser": "Mamma följer Maja till skolan på måndagar",
                               "ovriga_aktorers_insatser": [{"aktor": "Fotbollstränaren", "insats": "Peppar Maja",
                                                             "hur_ofta": "Varje träning"}]})
        self.do("mote_sammanfattning", {"sammanfattning": "BUP behandlar oron, skolan anpassar schemat",
                                        "overgripande_ansvar": SOCIALTJANST_BARN["organisation"]})
        self.do("mote_avslutning", {"uppfoljningsdatum": uppfoljningsdatum,
                                    "om_hjalp_behovs": "Ring Ali på socialtjänsten"})
        return self
