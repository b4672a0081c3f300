"""A small officials registry for tests: real officials with their real tenures.

It implements the registry's interface (``get``, ``holders``, ``role_keys``, ``is_party``,
``lookup``, ``names``, ``countries``, ``country``) over a handful of US, Russian, Chinese,
Ukrainian and British officials, so that tests pass it in where the bundled registry would
go. ``TableRegistry`` takes any officials, for synthetic data (the benchmark).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from urllib.parse import urlsplit

from bot.extract import Country
from bot.models import Official, Tenure
from bot.names import fold as norm

__all__ = [
    "COUNTRIES",
    "HISTORY",
    "OFFICIALS",
    "REGISTRY",
    "ROLE_PHRASES",
    "TableRegistry",
    "seed",
]


def _o(
    oid: str, name: str, country: str, *tenures: Tenure, aliases: Sequence[str] = ()
) -> Official:
    return Official(oid, name, country, tuple(tenures), tuple(aliases))


def _t(role: str, start: str, end: str | None = None) -> Tenure:
    return Tenure(role, date.fromisoformat(start), date.fromisoformat(end) if end else None)


OFFICIALS: tuple[Official, ...] = (
    _o("joe-biden", "Joe Biden", "US", _t("head_of_state", "2021-01-20", "2025-01-19"),
       aliases=("Joseph Biden", "Байден")),
    _o("donald-trump", "Donald Trump", "US", _t("head_of_state", "2017-01-20", "2021-01-19"),
       Tenure("head_of_state", date(2024, 11, 6), date(2025, 1, 19), elect=True),
       _t("head_of_state", "2025-01-20"), aliases=("Трамп",)),
    _o("vladimir-putin", "Vladimir Putin", "RU", _t("head_of_state", "2000-05-07", "2008-05-07"),
       _t("head_of_government", "2008-05-08", "2012-05-07"), _t("head_of_state", "2012-05-07"),
       aliases=("Путин", "Vladimir Vladimirovich Putin")),
    _o("mikhail-mishustin", "Mikhail Mishustin", "RU", _t("head_of_government", "2020-01-16"),
       aliases=("Мишустин",)),
    _o("xi-jinping", "Xi Jinping", "CN", _t("head_of_state", "2013-03-14"), aliases=("习近平",)),
    _o("volodymyr-zelensky", "Volodymyr Zelensky", "UA", _t("head_of_state", "2019-05-20"),
       aliases=("Zelenskyy", "Vladimir Zelensky", "Зеленський")),
    _o("antony-blinken", "Antony Blinken", "US", _t("foreign", "2021-01-26", "2025-01-20"),
       aliases=("Tony Blinken",)),
    _o("marco-rubio", "Marco Rubio", "US", _t("foreign", "2025-01-21"),
       _t("security", "2025-05-01")),
    _o("sergey-lavrov", "Sergey Lavrov", "RU", _t("foreign", "2004-03-09"),
       aliases=("Sergei Lavrov", "Лавров")),
    _o("wang-yi", "Wang Yi", "CN", _t("foreign", "2013-03-16", "2022-12-30"),
       _t("foreign", "2023-07-25"), aliases=("王毅",)),
    _o("lloyd-austin", "Lloyd Austin", "US", _t("defense", "2021-01-22", "2025-01-20"),
       aliases=("Lloyd J. Austin",)),
    _o("pete-hegseth", "Pete Hegseth", "US", _t("defense", "2025-01-25"),
       aliases=("Peter Hegseth",)),
    _o("sergei-shoigu", "Sergei Shoigu", "RU", _t("defense", "2012-11-06", "2024-05-12"),
       _t("security", "2024-05-12"), aliases=("Sergey Shoigu", "Шойгу")),
    _o("andrei-belousov", "Andrei Belousov", "RU", _t("defense", "2024-05-14"),
       aliases=("Andrey Belousov", "Белоусов")),
    _o("dong-jun", "Dong Jun", "CN", _t("defense", "2023-12-29"), aliases=("董军",)),
    _o("mark-milley", "Mark Milley", "US", _t("military", "2019-10-01", "2023-09-30")),
    _o("charles-brown", "Charles Q. Brown", "US", _t("military", "2023-10-01", "2025-02-21"),
       aliases=("CQ Brown", "Charles Brown")),
    _o("dan-caine", "Dan Caine", "US", _t("military", "2025-04-11")),
    _o("valery-gerasimov", "Valery Gerasimov", "RU", _t("military", "2012-11-09"),
       aliases=("Valeriy Gerasimov", "Gerasimow", "Герасимов")),
    _o("jake-sullivan", "Jake Sullivan", "US", _t("security", "2021-01-20", "2025-01-20")),
    _o("nikolai-patrushev", "Nikolai Patrushev", "RU", _t("security", "2008-05-12", "2024-05-12"),
       aliases=("Nikolay Patrushev", "Патрушев")),
    _o("william-burns", "William Burns", "US", _t("intelligence", "2021-03-19", "2025-01-20"),
       aliases=("Bill Burns",)),
    _o("john-ratcliffe", "John Ratcliffe", "US", _t("intelligence", "2025-01-23")),
    _o("sergei-naryshkin", "Sergei Naryshkin", "RU", _t("intelligence", "2016-10-05"),
       aliases=("Sergey Naryshkin", "Нарышкин")),
    _o("gordon-brown", "Gordon Brown", "GB",
       _t("head_of_government", "2007-06-27", "2010-05-11")),
)  # fmt: skip

COUNTRIES: tuple[Country, ...] = (
    Country("US", "United States", ("us", "usa", "u.s.", "america", "american",
                                    "united states of america")),
    Country("RU", "Russia", ("ru", "russia", "russian", "russian federation", "rf")),
    Country("CN", "China", ("cn", "china", "chinese", "prc")),
    Country("UA", "Ukraine", ("ua", "ukraine", "ukrainian")),
    Country("GB", "United Kingdom", ("gb", "uk", "britain", "british", "great britain")),
)  # fmt: skip

ROLE_PHRASES: Mapping[str, str] = {
    "pentagon chief": "us.defense",
    "us defense secretary": "us.defense",
    "secretary of defense": "us.defense",
    "russian defence minister": "ru.defense",
    "russian defense minister": "ru.defense",
    "secretary of state": "us.foreign",
    "russian foreign minister": "ru.foreign",
    "us president": "us.head_of_state",
    "russian president": "ru.head_of_state",
    "chairman of the joint chiefs": "us.military",
    "chief of the general staff": "ru.military",
}


class TableRegistry:
    """The registry interface over a table of officials and countries."""

    def __init__(
        self,
        officials: Iterable[Official],
        countries: Iterable[Country] = (),
        role_phrases: Mapping[str, str] | None = None,
    ) -> None:
        self.officials: dict[str, Official] = {o.id: o for o in officials}
        self.countries: dict[str, Country] = {c.code: c for c in countries}
        self._phrases = {norm(k): v for k, v in (role_phrases or {}).items()}
        self._by_name: dict[str, list[str]] = {}
        for official in self.officials.values():
            for key in self._keys(official):
                ids = self._by_name.setdefault(key, [])
                if official.id not in ids:
                    ids.append(official.id)
        self._holders: dict[str, list[tuple[date, Official]]] = {}
        for official in self.officials.values():
            for tenure in official.tenures:
                if tenure.elect:  # elected, not yet the holder
                    continue
                key = f"{(tenure.country or official.country).lower()}.{tenure.role}"
                entries = self._holders.setdefault(key, [])
                if all(o.id != official.id for _, o in entries):
                    entries.append((tenure.start, official))
        for entries in self._holders.values():
            entries.sort(key=lambda e: (e[0], e[1].id))
        self._countries = {
            norm(alias): country
            for country in self.countries.values()
            for alias in (country.code, country.name, *country.aliases)
        }

    @staticmethod
    def _keys(official: Official) -> list[str]:
        return [norm(official.name), norm(official.surname)] + [norm(a) for a in official.aliases]

    def get(self, official_id: str) -> Official | None:
        return self.officials.get(official_id)

    def holders(self, role_key: str, day: date | None = None) -> tuple[Official, ...]:
        role = role_key.split(".", 1)[1] if "." in role_key else role_key
        out = []
        for _, official in self._holders.get(role_key, []):
            if day is None or any(
                t.role == role
                and not t.elect
                and f"{(t.country or official.country).lower()}.{t.role}" == role_key
                and t.covers(day)
                for t in official.tenures
            ):
                out.append(official)
        return tuple(out)

    def role_keys(self) -> frozenset[str]:
        return frozenset(self._holders)

    def is_party(self, text: str) -> bool:
        return text in self.officials or text in self._holders

    def lookup(self, text: str, day: date | None = None) -> list[Official]:
        key = norm(text)
        if key in self._phrases:
            return list(self.holders(self._phrases[key], day))
        return [self.officials[i] for i in self._by_name.get(key, [])]

    def names(self) -> Iterable[tuple[str, str]]:
        for key, ids in self._by_name.items():
            for official_id in ids:
                yield key, official_id

    def country(self, text: str) -> Country | None:
        return self._countries.get(norm(text))


REGISTRY = TableRegistry(OFFICIALS, COUNTRIES, ROLE_PHRASES)
"""The test registry."""

HISTORY: tuple[tuple[str, str, str, str, str], ...] = (
    # (day, a, b, kind, source URL): real US–Russia contacts from the bundled record
    ("2021-01-11", "valery-gerasimov", "mark-milley", "call", "https://arabic.rt.com/world/1191394-%D8%B1%D8%A6%D9%8A%D8%B3-%D9%87%D9%8A%D8%A6%D8%A9-%D8%A7%D9%84%D8%A3%D8%B1%D9%83%D8%A7%D9%86-%D8%A7%D9%84%D8%B1%D9%88%D8%B3%D9%8A%D8%A9-%D9%8A%D8%A8%D8%AD%D8%AB-%D9%86%D8%B8%D9%8A%D8%B1%D9%87-%D8%A7%D9%84%D8%A3%D9%85%D8%B1%D9%8A%D9%83%D9%8A-%D9%82%D8%B6%D8%A7%D9%8A%D8%A7-%D8%A7%D9%84%D8%A3%D9%85%D9%86-%D8%A7%D9%84%D8%B9%D8%A7%D9%84%D9%85/amp"),
    ("2021-01-26", "joe-biden", "vladimir-putin", "call", "https://www.polygraph.info/a/fact-check-biden-putin-phone-call-readout-differences/6742778.html"),
    ("2021-04-13", "joe-biden", "vladimir-putin", "call", "https://www.devdiscourse.com/article/politics/1533124-kremlin-says-biden-in-phone-call-told-putin-he-wanted-to-normalise-ties"),
    ("2021-04-19", "jake-sullivan", "nikolai-patrushev", "call", "https://www.devdiscourse.com/article/law-order/1540868-us-russia-security-advisers-discuss-presidential-summit-prospects---white-house"),
    ("2021-05-12", "antony-blinken", "sergey-lavrov", "call", "http://larouchepub.com./pr/2021/20210513_lavrov_blinkin.html"),
    ("2021-05-19", "antony-blinken", "sergey-lavrov", "meeting", "https://pledgetimes.com/editorial-the-cold-relationship-between-the-united-states-and-russia-is-also-looking-for-new-channels-at-the-arctic-council-meeting/"),
    ("2021-06-16", "joe-biden", "vladimir-putin", "meeting", "https://www.dw.com/en/biden-putin-meet-in-geneva/av-57929469"),
    ("2021-07-09", "joe-biden", "vladimir-putin", "call", "https://en.trend.az/world/us/3452864.html"),
    ("2021-11-02", "william-burns", "nikolai-patrushev", "meeting", "https://tass.com/politics/1357117"),
    ("2021-12-07", "joe-biden", "vladimir-putin", "call", "https://www.wvpe.org/post/biden-voices-deep-concern-putin-over-russian-military-build-near-ukraine"),
    ("2021-12-30", "joe-biden", "vladimir-putin", "call", "https://apostrophe.ua/en/news/politics/2021-12-31/peregovoryi-baydena-s-putinyim-glavnoe-po-versii-belogo-doma-i-kremlya/254513"),
    ("2022-01-21", "antony-blinken", "sergey-lavrov", "meeting", "https://nationalpost.com/pmn/news-pmn/u-s-s-blinken-says-had-frank-discussion-with-russias-lavrov"),
    ("2022-02-11", "mark-milley", "valery-gerasimov", "call", "http://stylemagazine.com/news/2022/may/13/us-defense-secretary-speaks-russian-counterpart-fi"),
    ("2022-02-12", "joe-biden", "vladimir-putin", "call", "https://www.ksby.com/news/putin-biden-conclude-hourlong-call-on-ukraine-crisis"),
    ("2022-02-18", "lloyd-austin", "sergei-shoigu", "call", "https://ironbladeonline.com/us-defense-secretary-lloyd-austin-speaks-with-his-russian-counterpart-sergei-shoigu-for-the-first-time-since-russia-invaded-ukraine/"),
    ("2022-05-13", "lloyd-austin", "sergei-shoigu", "call", "https://www.stripes.com/theaters/us/2022-05-13/austin-russia-defense-minister-ukraine-war-5990392.html"),
    ("2022-05-19", "mark-milley", "valery-gerasimov", "call", "https://www.devdiscourse.com/article/law-order/2043934-top-us-russian-general-speak-by-phone--us-military"),
    ("2022-07-29", "antony-blinken", "sergey-lavrov", "call", "https://ca.sports.yahoo.com/news/blinken-says-spoke-russia-fm-171023877.html"),
    ("2022-10-21", "lloyd-austin", "sergei-shoigu", "call", "https://www.politico.com/news/2022/10/21/u-s-russian-defense-chiefs-00062903"),
    ("2022-10-23", "sergei-shoigu", "lloyd-austin", "call", "https://pledgetimes.com/the-defense-ministers-of-america-and-russia-speak-for-the-second-time-in-three-days/"),
    ("2022-10-24", "valery-gerasimov", "mark-milley", "call", "https://gazette.com/news/us-world/russian-u-s-chiefs-of-staff-discuss-risk-of-dirty-bomb-in-ukraine--/article_4f5a5ef5-1419-54ad-8d41-336e71a19453.html"),
    ("2022-11-14", "william-burns", "sergei-naryshkin", "meeting", "https://duvarenglish.com/amp/us-russian-spy-chiefs-meet-in-turkish-capital-ankara-news-61538"),
    ("2023-03-02", "antony-blinken", "sergey-lavrov", "meeting", "https://kion546.com/news/ap-national-news/2023/03/02/blinken-lavrov-meet-briefly-as-us-russia-tensions-soar/"),
    ("2023-03-15", "lloyd-austin", "sergei-shoigu", "call", "https://news.antiwar.com/2023/03/15/austin-speaks-with-russian-defense-minister-about-drone-incident/"),
    ("2023-03-15", "mark-milley", "valery-gerasimov", "call", "https://tass.com/politics/1589365"),
    ("2024-06-25", "lloyd-austin", "andrei-belousov", "call", "https://interfax.com.ua/news/general/995991.html"),
    ("2024-07-12", "andrei-belousov", "lloyd-austin", "call", "https://censor.net/en/news/3499434/austin_spoke_on_the_phone_with_belousov"),
    ("2024-11-27", "valery-gerasimov", "charles-brown", "call", "https://news-pravda.com/world/2024/12/05/900682.html"),
    ("2025-02-12", "donald-trump", "vladimir-putin", "call", "https://www.hindustantimes.com/world-news/us-news/trump-speaks-to-putin-says-negotiations-to-end-ukraine-war-start-immediately-101739380764318.html"),
    ("2025-02-15", "marco-rubio", "sergey-lavrov", "call", "https://www.pravda.com.ua/eng/news/2025/02/15/7498538/"),
    ("2025-02-18", "marco-rubio", "sergey-lavrov", "meeting", "https://euromaidanpress.com/2025/02/18/us-russia-hold-five-hour-talks-in-saudi-arabia-without-ukraines-participation/"),
    ("2025-03-11", "john-ratcliffe", "sergei-naryshkin", "call", "https://www.pravda.com.ua/eng/news/2025/03/12/7502480/"),
    ("2025-03-18", "donald-trump", "vladimir-putin", "call", "https://www.indiatvnews.com/news/world/trump-and-putin-hold-telephonic-conversation-from-prisoner-swap-to-30-day-ceasefire-key-takeaways-2025-03-19-981251"),
    ("2025-05-19", "donald-trump", "vladimir-putin", "call", "https://censor.net/en/news/3553100/trump-and-putin-hold-phone-call-on-may-19"),
)  # fmt: skip
"""Real US–Russia contacts, each with the report that confirms it."""


def _host(url: str) -> str:
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


def seed(store: object, rows: Sequence[tuple[str, str, str, str, str]] = HISTORY) -> None:
    """Record ``rows`` as the bundled record would (origin ``history``)."""
    from bot.store import NewSource, Store

    assert isinstance(store, Store)
    for day, a, b, kind, url in rows:
        store.record_contact(
            a,
            b,
            kind="call" if kind == "call" else "meeting",
            day=date.fromisoformat(day),
            approximate=False,
            source=NewSource(origin="history", title=_host(url), evidence=url, url=url),
        )
