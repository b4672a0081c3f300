"""The detector's rules, one sentence each: what is a contact and what is not."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.extract import Registry, default_registry, extract, extract_contacts
from bot.models import Contact, Item, SilenceClaim

D = date(2023, 10, 24)  # a Tuesday


@pytest.fixture(scope="module")
def registry() -> Registry:
    return default_registry()


def item(summary: str, day: date = D, title: str = "") -> Item:
    return Item("test", "k", None, title, summary, None, day, "")


def found(registry: Registry, summary: str, day: date = D, title: str = "") -> set[tuple[str, ...]]:
    return {
        (c.a, c.b, c.kind, c.date.isoformat() if c.date else "")
        for c in extract_contacts(item(summary, day, title), registry)
    }


# (id, published, summary, expected contacts as (a, b, kind, date or ""))
POSITIVE = [
    (
        "spoke by phone",
        D,
        "U.S. Defense Secretary Lloyd Austin spoke by phone with Israeli Defence Minister "
        "Yoav Gallant on Monday.",
        [("lloyd-austin", "yoav-gallant", "call", "2023-10-23")],
    ),
    (
        "phone call with",
        D,
        "Recep Tayyip Erdogan held a phone call with Volodymyr Zelenskyy on Sunday.",
        [("recep-tayyip-erdogan", "volodymyr-zelensky", "call", "2023-10-22")],
    ),
    (
        "telephone conversation",
        D,
        "Putin held a telephone conversation with Egypt's Abdel Fattah al-Sisi yesterday.",
        [("abdel-fattah-al-sisi", "vladimir-putin", "call", "2023-10-23")],
    ),
    (
        "video call",
        D,
        "Xi Jinping held a video call with Joe Biden on Monday.",
        [("joe-biden", "xi-jinping", "call", "2023-10-23")],
    ),
    (
        "talked",
        D,
        "Blinken and Wang Yi talked on Saturday.",
        [("antony-blinken", "wang-yi", "call", "2023-10-21")],
    ),
    (
        "conversed",
        D,
        "Emmanuel Macron conversed with Vladimir Putin for two hours on Friday.",
        [("emmanuel-macron", "vladimir-putin", "call", "2023-10-20")],
    ),
    (
        "discussed by phone",
        D,
        "Lloyd Austin discussed Gaza with Yoav Gallant by phone on Sunday.",
        [("lloyd-austin", "yoav-gallant", "call", "2023-10-22")],
    ),
    (
        "phoned",
        D,
        "Olaf Scholz phoned Xi Jinping on Monday.",
        [("olaf-scholz", "xi-jinping", "call", "2023-10-23")],
    ),
    (
        "held phone talks",
        D,
        "Sergei Lavrov held phone talks with Hakan Fidan on Sunday.",
        [("hakan-fidan", "sergei-lavrov", "call", "2023-10-22")],
    ),
    (
        "call took place between",
        D,
        "A call between Joe Biden and Benjamin Netanyahu took place on Sunday.",
        [("benjamin-netanyahu", "joe-biden", "call", "2023-10-22")],
    ),
    (
        "met",
        D,
        "Antony Blinken met Wang Yi in Washington on Monday.",
        [("antony-blinken", "wang-yi", "meeting", "2023-10-23")],
    ),
    (
        "held talks",
        D,
        "Vladimir Putin held talks with Xi Jinping in Beijing on Wednesday.",
        [("vladimir-putin", "xi-jinping", "meeting", "2023-10-18")],
    ),
    (
        "hosted",
        D,
        "Joe Biden hosted Benjamin Netanyahu at the White House on Monday.",
        [("benjamin-netanyahu", "joe-biden", "meeting", "2023-10-23")],
    ),
    (
        "received",
        D,
        "Xi Jinping received visiting Hungarian and Russian guests, including Sergei Lavrov, "
        "on Monday.",
        [],
    ),
    (
        "received visiting",
        D,
        "Xi Jinping received visiting Russian Foreign Minister Sergei Lavrov on Monday.",
        [("sergei-lavrov", "xi-jinping", "meeting", "2023-10-23")],
    ),
    (
        "sat down with",
        D,
        "Joe Biden sat down with Xi Jinping on Monday.",
        [("joe-biden", "xi-jinping", "meeting", "2023-10-23")],
    ),
    (
        "talks in geneva",
        D,
        "Antony Blinken and Sergei Lavrov held talks in Geneva on Friday.",
        [("antony-blinken", "sergei-lavrov", "meeting", "2023-10-20")],
    ),
    (
        "on the sidelines",
        D,
        "Narendra Modi met Xi Jinping on the sidelines of the summit on Monday.",
        [("narendra-modi", "xi-jinping", "meeting", "2023-10-23")],
    ),
    (
        "shook hands and talked",
        D,
        "Joe Biden shook hands with Xi Jinping and talked briefly on Monday.",
        [("joe-biden", "xi-jinping", "meeting", "2023-10-23")],
    ),
    (
        "delegation talks",
        date(2025, 2, 19),
        "Marco Rubio and Mike Waltz met Sergei Lavrov and Yuri Ushakov in Riyadh on Tuesday.",
        [
            ("marco-rubio", "sergei-lavrov", "meeting", "2025-02-18"),
            ("marco-rubio", "yuri-ushakov", "meeting", "2025-02-18"),
            ("mike-waltz", "sergei-lavrov", "meeting", "2025-02-18"),
            ("mike-waltz", "yuri-ushakov", "meeting", "2025-02-18"),
        ],
    ),
    (
        "same pair two days",
        D,
        "Lloyd Austin spoke with Yoav Gallant on Monday. The two also spoke on Saturday.",
        [
            ("lloyd-austin", "yoav-gallant", "call", "2023-10-23"),
            ("lloyd-austin", "yoav-gallant", "call", "2023-10-21"),
        ],
    ),
    (
        "role phrase",
        D,
        "The Pentagon chief spoke by phone with the Israeli defence minister on Monday.",
        [("lloyd-austin", "yoav-gallant", "call", "2023-10-23")],
    ),
    (
        "kremlin leader",
        D,
        "The Kremlin leader met the Chinese leader in Beijing on Wednesday.",
        [("vladimir-putin", "xi-jinping", "meeting", "2023-10-18")],
    ),
    (
        "his chinese counterpart",
        date(2024, 5, 1),
        "Lloyd Austin spoke by phone with his Chinese counterpart on Tuesday.",
        [("dong-jun", "lloyd-austin", "call", "2024-04-30")],
    ),
    (
        "his russian counterpart",
        date(2022, 10, 24),
        "Lloyd Austin spoke by phone with his Russian counterpart on Sunday.",
        [("lloyd-austin", "sergei-shoigu", "call", "2022-10-23")],
    ),
    (
        "the pair",
        D,
        "Lloyd Austin and Yoav Gallant met last week. The pair spoke again by phone on Monday.",
        [
            ("lloyd-austin", "yoav-gallant", "meeting", ""),
            ("lloyd-austin", "yoav-gallant", "call", "2023-10-23"),
        ],
    ),
    (
        "surname only",
        D,
        "Blinken met Netanyahu in Tel Aviv on Monday.",
        [("antony-blinken", "benjamin-netanyahu", "meeting", "2023-10-23")],
    ),
    (
        "transliteration",
        date(2022, 3, 8),
        "Sergey Shoygu held telephone talks with Hulusi Akar.",
        [("hulusi-akar", "sergei-shoigu", "call", "")],
    ),
    (
        "him",
        date(2025, 3, 13),
        "Yury Ushakov said Mike Waltz called him yesterday.",
        [("mike-waltz", "yuri-ushakov", "call", "2025-03-12")],
    ),
    (
        "president elect",
        date(2025, 1, 18),
        "Donald Trump spoke by phone with Xi Jinping on Friday.",
        [("donald-trump", "xi-jinping", "call", "2025-01-17")],
    ),
    (
        "told in a phone call",
        D,
        "Vladimir Putin told Tayyip Erdogan in a phone call on Monday that the deal was dead.",
        [("recep-tayyip-erdogan", "vladimir-putin", "call", "2023-10-23")],
    ),
    (
        "in a call with, subject after",
        D,
        "In a call with Crown Prince Mohammed bin Salman on Monday, Joe Biden discussed oil.",
        [("joe-biden", "mohammed-bin-salman", "call", "2023-10-23")],
    ),
    (
        "countries and plural title",
        date(2024, 6, 3),
        "The U.S. and Chinese defence chiefs met in Singapore on Friday.",
        [("dong-jun", "lloyd-austin", "meeting", "2024-05-31")],
    ),
    (
        "virtual summit is a call",
        D,
        "Joe Biden and Xi Jinping held a virtual summit on Monday.",
        [("joe-biden", "xi-jinping", "call", "2023-10-23")],
    ),
    (
        "during their meeting",
        D,
        "Volodymyr Zelensky thanked Joe Biden for the aid during their meeting on Monday.",
        [("joe-biden", "volodymyr-zelensky", "meeting", "2023-10-23")],
    ),
    (
        "german participle",
        date(2024, 11, 16),
        "Bundeskanzler Olaf Scholz hat am Freitag mit Präsident Wladimir Putin telefoniert.",
        [("olaf-scholz", "vladimir-putin", "call", "2024-11-15")],
    ),
    (
        "standing alongside, list closed by and only",
        date(2025, 8, 23),
        "In Kyiv, standing alongside visiting NATO Secretary General Mark Rutte, Volodymyr "
        "Zelensky said on Friday that Ukraine had agreements only with Donald Trump.",
        [("mark-rutte", "volodymyr-zelensky", "meeting", "2025-08-22")],
    ),
    (
        "while meeting",
        date(2019, 6, 30),
        "Donald Trump on Sunday stepped into North Korea while meeting leader Kim Jong Un, and "
        "the two then held a private meeting.",
        [("donald-trump", "kim-jong-un", "meeting", "2019-06-30")],
    ),
    (
        "who met",
        D,
        "Joe Biden, who met Xi Jinping on Saturday, said ties were stable.",
        [("joe-biden", "xi-jinping", "meeting", "2023-10-21")],
    ),
    (
        "russian",
        date(2022, 3, 8),
        "Министр обороны России Сергей Шойгу провёл телефонный разговор с турецким коллегой "
        "Хулуси Акаром.",
        [("hulusi-akar", "sergei-shoigu", "call", "")],
    ),
    (
        "german",
        date(2025, 5, 8),
        "Friedrich Merz telefonierte am Mittwoch mit Donald Trump.",
        [("donald-trump", "friedrich-merz", "call", "2025-05-07")],
    ),
    (
        "hours of talks",
        D,
        "Antony Blinken and Sergei Lavrov held more than four hours of talks in Geneva on Monday.",
        [("antony-blinken", "sergei-lavrov", "meeting", "2023-10-23")],
    ),
    (
        "told during a visit",
        D,
        "Narendra Modi told Volodymyr Zelensky during a visit to Kyiv on Monday that India was "
        "ready to help.",
        [("narendra-modi", "volodymyr-zelensky", "meeting", "2023-10-23")],
    ),
    (
        "a call trailing what was said",
        D,
        "Joe Biden warned Vladimir Putin on Saturday that the West would respond decisively, "
        "during a call that lasted an hour.",
        [("joe-biden", "vladimir-putin", "call", "2023-10-21")],
    ),
    (
        "talks named after a call are the call",
        D,
        "Lloyd Austin and Yoav Gallant held a video call on Monday, the first talks between the "
        "two in months.",
        [("lloyd-austin", "yoav-gallant", "call", "2023-10-23")],
    ),
    (
        "a name is not a month",
        date(2024, 5, 31),
        "U.S. Defense Secretary Lloyd Austin and Chinese Defense Minister Dong Jun shook hands "
        "and held talks on the sidelines of the Shangri-La Dialogue on Friday.",
        [("dong-jun", "lloyd-austin", "meeting", "2024-05-31")],
    ),
    (
        "talks by phone",
        D,
        "Vladimir Putin held talks with Xi Jinping by phone on Monday.",
        [("vladimir-putin", "xi-jinping", "call", "2023-10-23")],
    ),
    (
        "talks after a call of another day",
        D,
        "Vladimir Putin held talks with Xi Jinping in Beijing on Monday after speaking by phone "
        "last week.",
        [("vladimir-putin", "xi-jinping", "meeting", "2023-10-23")],
    ),
    (
        "in a long-named meeting",
        date(2025, 2, 28),
        "Donald Trump and Volodymyr Zelensky clashed in a heated Oval Office meeting on Friday.",
        [("donald-trump", "volodymyr-zelensky", "meeting", "2025-02-28")],
    ),
    (
        "hours of informal talks",
        D,
        "Xi Jinping and Vladimir Putin held more than four hours of informal talks on Monday.",
        [("vladimir-putin", "xi-jinping", "meeting", "2023-10-23")],
    ),
    (
        "several counterparts",
        date(2022, 10, 24),
        "Russian Defence Minister Sergei Shoigu held phone calls with his French, British and "
        "Turkish counterparts on Sunday.",
        [
            ("sebastien-lecornu", "sergei-shoigu", "call", "2022-10-23"),
            ("ben-wallace", "sergei-shoigu", "call", "2022-10-23"),
            ("hulusi-akar", "sergei-shoigu", "call", "2022-10-23"),
        ],
    ),
    (
        "dialled",
        D,
        "Narendra Modi dialled Vladimir Putin on Monday to discuss the war.",
        [("narendra-modi", "vladimir-putin", "call", "2023-10-23")],
    ),
    (
        "the one named after another's title",
        D,
        "Volodymyr Zelensky held talks with Erdogan's foreign minister Hakan Fidan on Monday.",
        [("hakan-fidan", "volodymyr-zelensky", "meeting", "2023-10-23")],
    ),
    (
        "the contact a first one is counted from",
        D,
        "Recep Tayyip Erdogan and Vladimir Putin spoke by phone on Monday, their first "
        "conversation since Putin and Erdogan met in Sochi in September.",
        [("recep-tayyip-erdogan", "vladimir-putin", "call", "2023-10-23")],
    ),
    (
        "a meeting in a list of events with the partner",
        D,
        "Earlier the same day Joe Biden had a bilateral meeting, working lunch and joint press "
        "conference with Japanese Prime Minister Fumio Kishida in Washington.",
        [("fumio-kishida", "joe-biden", "meeting", "2023-10-24")],
    ),
    (
        "at talks: the talks' result failed, not the talks",
        D,
        "Russian Foreign Minister Sergei Lavrov and his Ukrainian counterpart Dmytro Kuleba made "
        "no progress towards a ceasefire at talks in Antalya on Monday.",
        [("dmytro-kuleba", "sergei-lavrov", "meeting", "2023-10-23")],
    ),
    (
        "failed to agree at talks",
        D,
        "Sergei Lavrov and Dmytro Kuleba failed to agree a ceasefire at talks in Antalya on "
        "Monday.",
        [("dmytro-kuleba", "sergei-lavrov", "meeting", "2023-10-23")],
    ),
    (
        "visitors who meet someone together meet each other",
        D,
        "Olaf Scholz and Emmanuel Macron met Volodymyr Zelensky in Kyiv on Monday.",
        [
            ("olaf-scholz", "volodymyr-zelensky", "meeting", "2023-10-23"),
            ("emmanuel-macron", "volodymyr-zelensky", "meeting", "2023-10-23"),
            ("emmanuel-macron", "olaf-scholz", "meeting", "2023-10-23"),
        ],
    ),
    (
        "visitors who each meet someone",
        D,
        "Olaf Scholz and Emmanuel Macron each met Volodymyr Zelensky on Monday.",
        [
            ("olaf-scholz", "volodymyr-zelensky", "meeting", "2023-10-23"),
            ("emmanuel-macron", "volodymyr-zelensky", "meeting", "2023-10-23"),
        ],
    ),
    (
        "two callers on one call are not paired",
        D,
        "Olaf Scholz and Emmanuel Macron spoke with Vladimir Putin by phone on Monday.",
        [
            ("olaf-scholz", "vladimir-putin", "call", "2023-10-23"),
            ("emmanuel-macron", "vladimir-putin", "call", "2023-10-23"),
        ],
    ),
    (
        "a title set off by commas before the partner",
        D,
        "CIA Director William Burns met the head of Russia's SVR foreign intelligence service, "
        "Sergei Naryshkin, in Ankara on Monday, the White House said.",
        [("sergei-naryshkin", "william-burns", "meeting", "2023-10-23")],
    ),
    (
        "what was said in the call is not the call",
        D,
        "Joe Biden told Russia's Vladimir Putin in a two-hour secure video call on Monday that "
        "the West would respond with strong economic measures if Russia invaded Ukraine.",
        [("joe-biden", "vladimir-putin", "call", "2023-10-23")],
    ),
    (
        "a day after his call with",
        D,
        "Joe Biden spoke with Volodymyr Zelensky by phone on Tuesday, a day after his call with "
        "Vladimir Putin in which the Russian leader agreed to a pause.",
        [
            ("joe-biden", "volodymyr-zelensky", "call", "2023-10-24"),
            ("joe-biden", "vladimir-putin", "call", "2023-10-23"),
        ],
    ),
    (
        "two days after meeting",
        D,
        "Joe Biden spoke with Volodymyr Zelensky by phone on Tuesday, two days after meeting "
        "Vladimir Putin.",
        [
            ("joe-biden", "volodymyr-zelensky", "call", "2023-10-24"),
            ("joe-biden", "vladimir-putin", "meeting", "2023-10-22"),
        ],
    ),
    (
        "a day before a meeting still to come",
        D,
        "Joe Biden spoke with Volodymyr Zelensky by phone on Tuesday, a day before his meeting "
        "with Vladimir Putin.",
        [("joe-biden", "volodymyr-zelensky", "call", "2023-10-24")],
    ),
    (
        "a conversation during a visit is a meeting",
        D,
        "On 24 October, Vladimir Putin held talks in the Kremlin with Xi Jinping, who is in "
        "Russia on a state visit. On the eve, the two leaders had an informal one-on-one "
        "conversation that lasted about four and a half hours.",
        [
            ("vladimir-putin", "xi-jinping", "meeting", "2023-10-24"),
            ("vladimir-putin", "xi-jinping", "meeting", "2023-10-23"),
        ],
    ),
    (
        "he at the start of the next sentence is its subject",
        D,
        "Joe Biden met Xi Jinping on Tuesday. On Monday he spoke with Fumio Kishida.",
        [
            ("joe-biden", "xi-jinping", "meeting", "2023-10-24"),
            ("fumio-kishida", "joe-biden", "call", "2023-10-23"),
        ],
    ),
    (
        "he after a sentence naming one official",
        D,
        "Joe Biden arrived in Tokyo on Sunday. He met Fumio Kishida on Monday.",
        [("fumio-kishida", "joe-biden", "meeting", "2023-10-23")],
    ),
    (
        "he after someone else's words is that someone",
        D,
        "Joe Biden met Xi Jinping on Tuesday. An aide said he spoke with Fumio Kishida.",
        [("joe-biden", "xi-jinping", "meeting", "2023-10-24")],
    ),
    (
        "talks and a dinner with",
        D,
        "Emmanuel Macron held talks and a dinner with Olaf Scholz on Monday.",
        [("emmanuel-macron", "olaf-scholz", "meeting", "2023-10-23")],
    ),
]

NEGATIVE = [
    (
        "a count of calls through he",
        "Emmanuel Macron said on Monday that the West should not humiliate Russia. He has "
        "spoken with Vladimir Putin more than a dozen times since the start of the year.",
    ),
    (
        "he for someone's envoy",
        "Joe Biden's envoy met Xi Jinping on Monday. He also spoke with Wang Yi.",
    ),
    (
        "so long ago",
        "Volodymyr Zelensky said he had spoken with Xi Jinping once, about a year ago.",
    ),
    (
        "a call one side says and the other denies, with no day",
        "Joe Biden said in an interview that Xi Jinping had called him, without saying when. "
        "China's foreign ministry said it was not aware of any recent call between the two.",
    ),
    ("not at talks", "Sergei Lavrov and Dmytro Kuleba were not at talks in Antalya on Monday."),
    (
        "at talks in the future",
        "Sergei Lavrov and Dmytro Kuleba will make no progress at talks in Antalya on Friday.",
    ),
    (
        "no agreement on talks",
        "There was no agreement on talks between Sergei Lavrov and Dmytro Kuleba.",
    ),
    (
        "failed to agree on talks",
        "Sergei Lavrov and Dmytro Kuleba failed to agree on talks in Antalya.",
    ),
    (
        "a list of events planned",
        "Joe Biden will hold a meeting and a working lunch with Fumio Kishida on Thursday.",
    ),
    (
        "a list of events that is not one",
        "Joe Biden held a meeting in Tokyo and then a dinner with Fumio Kishida's rivals.",
    ),
    ("requested", "Volodymyr Zelensky requested a call with Xi Jinping."),
    ("planned", "A meeting between Joe Biden and Xi Jinping is planned for November."),
    ("expected", "Antony Blinken is expected to meet Wang Yi next week."),
    ("proposed", "Vladimir Putin proposed talks with Joe Biden."),
    ("scheduled", "Antony Blinken is scheduled to meet Sergei Lavrov on Thursday."),
    ("invited", "Xi Jinping invited Joe Biden to talks in Beijing."),
    ("will meet", "Joe Biden will meet Xi Jinping in San Francisco."),
    ("to call", "Emmanuel Macron plans to call Vladimir Putin."),
    ("headline to meet", "Biden to meet Xi at APEC summit"),
    ("refused", "Volodymyr Zelensky refused to meet Vladimir Putin."),
    ("declined", "Antony Blinken declined to hold talks with Sergei Lavrov."),
    ("ruled out", "The Kremlin ruled out a meeting between Vladimir Putin and Volodymyr Zelensky."),
    ("cancelled", "Joe Biden cancelled his meeting with Vladimir Putin."),
    ("called off", "Donald Trump called off his summit with Vladimir Putin."),
    ("denied", "The Kremlin denied that Vladimir Putin spoke with Donald Trump."),
    ("hypothetical", "If Joe Biden met Xi Jinping, tensions could ease."),
    ("conditional", "A call between Joe Biden and Xi Jinping could happen if both sides agree."),
    ("negated", "Joe Biden has not spoken with Xi Jinping."),
    ("silence claim", "Joe Biden and Xi Jinping have not spoken since March."),
    ("historical", "Joe Biden met Xi Jinping in Bali in November 2022."),
    ("old exact date", "Joe Biden and Xi Jinping last met on November 14, 2022."),
    ("count without names", "The defence chiefs held three calls in four days."),
    ("same government", "Joe Biden met Antony Blinken and Lloyd Austin on Monday."),
    ("below leader level", "Aides to Joe Biden and Vladimir Putin met in Geneva on Monday."),
    ("ambassador", "U.S. Ambassador John Sullivan met Sergei Lavrov on Monday."),
    ("place not person", "Sergei Lavrov flew to Austin, Texas on Monday to meet students."),
    (
        "former official",
        "Former British prime minister Boris Johnson met Volodymyr Zelensky on Sunday.",
    ),
    ("another brown", "Gordon Brown met Volodymyr Zelensky on Sunday."),
    ("xinhua is not xi", "Xinhua said Joe Biden met someone on Monday."),
    ("a letter", "Vladimir Putin sent a letter to Kim Jong Un on Monday."),
    ("several times", "Kim Jong Un met Donald Trump several times from 2018."),
    ("someone else's family", "Kim Yo Jong met Sergei Lavrov on Monday, Kim Jong Un said."),
    ("junior", "Donald Trump Jr. met Volodymyr Zelensky on Monday."),
    ("repeated without a day", "Joe Biden has spoken with Xi Jinping twice since the summit."),
    ("attendance", "Recep Tayyip Erdogan and Joe Biden attended the NATO summit in Washington."),
    ("ahead of", "Antony Blinken arrived in Beijing ahead of a meeting with Wang Yi."),
    ("for talks", "Sergei Lavrov arrives in Pyongyang for talks with Kim Jong Un."),
    ("ready to", "Volodymyr Zelensky is ready to meet Vladimir Putin."),
    ("someone's deputy", "Sergei Lavrov met Wang Yi's deputy in Moscow on Monday."),
    ("someone's staff", "Antony Blinken met Netanyahu's chief of staff on Monday."),
    ("someone's spokesman", "Joe Biden spoke with Putin's spokesman on Monday."),
    ("a visit is not talk", "Antony Blinken criticised Vladimir Putin during a visit to Kyiv."),
    (
        "a visit to come",
        "Narendra Modi will tell Volodymyr Zelensky during a visit to Kyiv next week that India "
        "can help.",
    ),
    (
        "a news conference after talks",
        "Joe Biden and Xi Jinping held a news conference after the talks were called off.",
    ),
    (
        "talks called off",
        "Antony Blinken held a news conference after the talks with Sergei Lavrov were called off.",
    ),
    (
        "russian modality",
        "Новый разговор Владимира Путина и Джо Байдена может состояться до конца года.",
    ),
]


@pytest.mark.parametrize(
    ("day", "summary", "expected"),
    [c[1:] for c in POSITIVE],
    ids=[c[0] for c in POSITIVE],
)
def test_contacts_reported(
    registry: Registry, day: date, summary: str, expected: list[tuple[str, ...]]
) -> None:
    assert found(registry, summary, day) == set(expected)


@pytest.mark.parametrize(
    "title",
    ["Xi, Biden hold call", "Xi Jinping, Biden hold call", "Biden, Xi hold call"],
)
def test_headline_names_joined_by_a_comma(registry: Registry, title: str) -> None:
    assert found(registry, "", title=title) == {("joe-biden", "xi-jinping", "call", "")}


def test_a_first_name_is_joined_by_a_space_not_a_comma(registry: Registry) -> None:
    assert found(registry, "Gordon Brown met Volodymyr Zelensky on Monday.") == set()


@pytest.mark.parametrize("summary", [c[1] for c in NEGATIVE], ids=[c[0] for c in NEGATIVE])
def test_not_a_contact(registry: Registry, summary: str) -> None:
    assert found(registry, summary) == set()
    assert found(registry, "", title=summary) == set()


def test_silence_claims_become_values(registry: Registry) -> None:
    out = extract(item("Joe Biden and Xi Jinping have not spoken since mid-February."), registry)
    assert out.contacts == ()
    assert out.silences == (
        SilenceClaim(
            "joe-biden",
            "xi-jinping",
            date(2023, 2, 11),
            "call",
            "Joe Biden and Xi Jinping have not spoken since mid-February.",
        ),
    )
    last = extract(item("Joe Biden and Xi Jinping last spoke on October 2."), registry)
    assert last.contacts == ()
    assert [(s.a, s.b, s.since) for s in last.silences] == [
        ("joe-biden", "xi-jinping", date(2023, 10, 2))
    ]
    first = extract(
        item("Joe Biden spoke with Xi Jinping on Monday, their first call since May."), registry
    )
    assert [(c.a, c.b, c.date) for c in first.contacts] == [
        ("joe-biden", "xi-jinping", date(2023, 10, 23))
    ]
    assert [(s.a, s.b) for s in first.silences] == [("joe-biden", "xi-jinping")]


def test_a_contact_carries_kind_date_evidence_and_confidence(registry: Registry) -> None:
    sentence = "Lloyd Austin spoke by phone with Yoav Gallant on Monday."
    (contact,) = extract_contacts(item(f"Noise first. {sentence} More noise."), registry)
    assert contact == Contact(
        "lloyd-austin", "yoav-gallant", "call", date(2023, 10, 23), sentence, contact.confidence
    )
    assert 0.5 <= contact.confidence <= 1.0


def test_title_and_summary_report_one_contact(registry: Registry) -> None:
    out = extract_contacts(
        item(
            "Narendra Modi and Xi Jinping held talks on Wednesday in Kazan.",
            date(2024, 10, 23),
            title="Modi, Xi hold first talks in five years",
        ),
        registry,
    )
    assert [(c.a, c.b, c.kind, c.date) for c in out] == [
        ("narendra-modi", "xi-jinping", "meeting", date(2024, 10, 23))
    ]


def test_no_publication_date_leaves_the_day_open(registry: Registry) -> None:
    news = Item("t", "k", None, "", "Joe Biden met Xi Jinping on Monday.", None, None, "")
    assert [(c.a, c.b, c.date) for c in extract_contacts(news, registry)] == [
        ("joe-biden", "xi-jinping", None)  # full names say who; nothing says which Monday
    ]
    dated = Item(
        "t", "k", None, "", "Joe Biden met Xi Jinping on Monday.",
        datetime(2023, 10, 24, 12, tzinfo=UTC), None, "",
    )  # fmt: skip
    assert [(c.a, c.b, c.date) for c in extract_contacts(dated, registry)] == [
        ("joe-biden", "xi-jinping", date(2023, 10, 23))
    ]


MILLEY = (
    "U.S. Joint Chiefs Chairman Gen. Mark Milley spoke by phone with Russian Chief of the "
    "General Staff Gen. Valery Gerasimov."
)


@pytest.mark.parametrize(
    ("summary", "day", "expected"),
    [
        # a full name is that person, with or without a day; a title before it is theirs
        (MILLEY, None, [("mark-milley", "valery-gerasimov")]),
        (MILLEY, date(2022, 5, 20), [("mark-milley", "valery-gerasimov")]),
        (MILLEY, date(2025, 6, 1), []),  # neither served then: not news of that day
        ("Adm. Tony Radakin met Gen. Mark Milley in London.", None, [
            ("mark-milley", "tony-radakin")
        ]),
        ("Joint Chiefs Chairman Gen. Dan Caine spoke with Gen. Valery Gerasimov.", None, [
            ("dan-caine", "valery-gerasimov")
        ]),
        # role phrases and references need the day: without one, nobody is guessed
        ("The Pentagon chief spoke by phone with Sergei Shoigu.", None, []),
        ("Russia's top diplomat met the U.S. secretary of state in Riyadh.", None, []),
        ("Lloyd Austin spoke by phone with his Russian counterpart.", None, []),
        ("The Pentagon chief spoke by phone with Sergei Shoigu.", date(2022, 5, 20), [
            ("lloyd-austin", "sergei-shoigu")
        ]),
        # no day and "former": not in office when they talked
        ("Former defence secretary Mark Esper met Sergei Shoigu in Moscow.", None, []),
    ],
    ids=[
        "milley undated", "milley dated", "milley out of office", "ranks before names",
        "caine undated", "role undated", "two roles undated", "counterpart undated",
        "role dated", "former undated",
    ],
)  # fmt: skip
def test_names_resolve_without_a_day_and_titles_only_with_one(
    registry: Registry, summary: str, day: date | None, expected: list[tuple[str, str]]
) -> None:
    news = Item("t", "k", None, "", summary, None, day, "")
    assert [(c.a, c.b) for c in extract_contacts(news, registry)] == expected


def test_ordinary_news_is_rejected_early(registry: Registry) -> None:
    news = item("The council voted to repave the high street after a long and heated debate.")
    assert extract(news, registry).contacts == ()


def test_only_the_denial_undoes_a_claimed_call(registry: Registry) -> None:
    claimed = "Joe Biden said in an interview that Xi Jinping had called him, without saying when."
    assert found(registry, claimed) == {("joe-biden", "xi-jinping", "call", "")}
    denied = "Beijing denied that the two had spoken."
    assert found(registry, f"{claimed} {denied}") == set()
    no_call = "Beijing said no call between Xi and Biden took place."
    assert found(registry, f"{claimed} {no_call}") == set()
    dated = "Joe Biden said Xi Jinping had called him on Monday."
    assert found(registry, f"{dated} {denied}") == {
        ("joe-biden", "xi-jinping", "call", "2023-10-23")
    }


def test_a_conversation_by_phone_stays_a_call_beside_a_meeting(registry: Registry) -> None:
    text = (
        "Vladimir Putin held talks in the Kremlin with Xi Jinping on Tuesday. On Monday, the two "
        "leaders had a telephone conversation."
    )
    assert found(registry, text) == {
        ("vladimir-putin", "xi-jinping", "meeting", "2023-10-24"),
        ("vladimir-putin", "xi-jinping", "call", "2023-10-23"),
    }
