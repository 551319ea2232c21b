"""Demo content for `manage.py load_demo`, written from the project's fact sheet.

Every statement cites the fact sheet's numbered sources; the numbers in `sources`
are keys of SOURCES."""

_NO_NOTE = {"en": "", "de": "", "ru": ""}

SOURCES = {
    1: {
        "title": "1945: Russians and Americans link at Elbe",
        "author": "BBC On This Day",
        "url": "http://news.bbc.co.uk/onthisday/low/dates/stories/april/27/newsid_3563000/3563723.stm",
        "year": None,
        "month": None,
        "day": None,
        "caution": "",
        "note": dict(_NO_NOTE),
    },
    2: {
        "title": "Evening Star, 28 April 1945",
        "author": "Evening Star (NZ)",
        "url": "https://paperspast.natlib.govt.nz/newspapers/ESD19450428.2.54",
        "year": 1945,
        "month": 4,
        "day": 28,
        "caution": "",
        "note": {
            "en": "Newspaper report, via Papers Past.",
            "de": "Zeitungsbericht, über Papers Past.",
            "ru": "Газетная заметка, через архив Papers Past.",
        },
    },
    3: {
        "title": "Im Schatten von Torgau",
        "author": "Stiftung Sächsische Gedenkstätten",
        "url": "https://stsg.de/cms/node/13080",
        "year": None,
        "month": None,
        "day": None,
        "caution": "",
        "note": dict(_NO_NOTE),
    },
    4: {
        "title": "Lorenzkirch miteinander e.V.",
        "author": "Lorenzkirch miteinander e.V.",
        "url": "https://lorenzkirch-miteinander.de/kontakt.html",
        "year": None,
        "month": None,
        "day": None,
        "caution": "",
        "note": dict(_NO_NOTE),
    },
    5: {
        "title": "Begegnung an der Elbe",
        "author": "Vesteburg",
        "url": "https://vesteburg.com/begegnung/beg_geschichte.html",
        "year": None,
        "month": None,
        "day": None,
        "caution": "",
        "note": dict(_NO_NOTE),
    },
    6: {
        "title": "First Official Link-up Ceremony",
        "author": "ww2colorfarbe.blogspot.com",
        "url": "https://ww2colorfarbe.blogspot.com/2015/10/first-official-link-up-ceremony-near.html",
        "year": None,
        "month": None,
        "day": None,
        "caution": "",
        "note": dict(_NO_NOTE),
    },
    7: {
        "title": "Torgau & der Elbe Day",
        "author": "Sachsen-Tourismus",
        "url": "https://sachsen-tourismus.de/blog/torgau-der-elbe-day",
        "year": None,
        "month": None,
        "day": None,
        "caution": "",
        "note": dict(_NO_NOTE),
    },
    8: {
        "title": "The Story of the Elbe River Linkage You May Not Have Heard About",
        "author": "Belfer Center",
        "url": "https://belfercenter.org/publication/story-elbe-river-linkage-you-may-not-have-heard-about",
        "year": None,
        "month": None,
        "day": None,
        "caution": "",
        "note": dict(_NO_NOTE),
    },
    9: {
        "title": "ww2live.com",
        "author": "AP / Journal Sentinel",
        "url": "https://ww2live.com/es/content/world-war-2-historic-elbe-river-handshake-between-russian-and-american-soldiers-1945",
        "year": None,
        "month": None,
        "day": None,
        "caution": "",
        "note": dict(_NO_NOTE),
    },
    10: {
        "title": "Joe Polowsky",
        "author": "69th Infantry Division Association",
        "url": "https://69th-infantry-division.com/joe-polowsky.html",
        "year": None,
        "month": None,
        "day": None,
        "caution": "",
        "note": dict(_NO_NOTE),
    },
    11: {
        "title": "Denkmal der Begegnung",
        "author": "Europe Remembers",
        "url": "https://old.europeremembers.com/de/destination/denkmal-der-begegnung",
        "year": None,
        "month": None,
        "day": None,
        "caution": "",
        "note": dict(_NO_NOTE),
    },
    12: {
        "title": "Sparkassenstiftung Torgau-Oschatz",
        "author": "Sparkassenstiftung Torgau-Oschatz",
        "url": "https://stiftung-torgau-oschatz.de/de/aktuelles/in-würdigem-zustand-für-die-gäste-aus-ost-und-west/",
        "year": None,
        "month": None,
        "day": None,
        "caution": "",
        "note": dict(_NO_NOTE),
    },
    13: {
        "title": "MDR",
        "author": "MDR",
        "url": "https://mdr.de/sachsen/leipzig/delitzsch-eilenburg-torgau/denkmal-weltkrieg-elbe-day-100.html",
        "year": 2019,
        "month": 12,
        "day": 3,
        "caution": "",
        "note": dict(_NO_NOTE),
    },
    14: {
        "title": "architektur-blicklicht.de",
        "author": "",
        "url": "https://architektur-blicklicht.de/?p=57211",
        "year": None,
        "month": None,
        "day": None,
        "caution": "",
        "note": dict(_NO_NOTE),
    },
    15: {
        "title": "Joseph Polowsky – ein besonderes Grab in Torgau",
        "author": "Evangelische Zeitung",
        "url": "https://evangelische-zeitung.de/joseph-polowsky-ein-besonderes-grab-in-torgau-2",
        "year": None,
        "month": None,
        "day": None,
        "caution": "",
        "note": dict(_NO_NOTE),
    },
    16: {
        "title": "Stiftung Sächsische Gedenkstätten",
        "author": "Stiftung Sächsische Gedenkstätten",
        "url": "https://stsg.de/cms/node/5589",
        "year": None,
        "month": None,
        "day": None,
        "caution": "",
        "note": dict(_NO_NOTE),
    },
    20: {
        "title": "denkmalprojekt.org",
        "author": "",
        "url": "https://denkmalprojekt.org/2015/lorenzkirch_gem-zeithein_lk-meissen_wk1_wk2_sachsen.html",
        "year": None,
        "month": None,
        "day": None,
        "caution": "",
        "note": dict(_NO_NOTE),
    },
    21: {
        "title": "Burxdorf",
        "author": "Lausitzer Rundschau",
        "url": "https://lr-online.de/lausitz/elsterwerda/burxdorf-erinnert-an-treffen-vor-70-jahren_aid-4509492",
        "year": None,
        "month": None,
        "day": None,
        "caution": "",
        "note": dict(_NO_NOTE),
    },
    29: {
        "title": "Mitteldeutsche Zeitung",
        "author": "Mitteldeutsche Zeitung",
        "url": "https://mz.de/lokal/jessen/so-feiert-die-stadt-torgau-den-diesjahrigen-elbe-day-als-tag-der-begegnung-3831619",
        "year": 2024,
        "month": None,
        "day": None,
        "caution": "",
        "note": dict(_NO_NOTE),
    },
    31: {
        "title": "Begegnung an der Elbe 1945",
        "author": "Schloss Hartenfels",
        "url": "https://schloss-hartenfels.de/schlossgeschichte/begegnung-1945",
        "year": None,
        "month": None,
        "day": None,
        "caution": "",
        "note": dict(_NO_NOTE),
    },
    32: {
        "title": "Calendar entry of 27 April 2024",
        "author": "dkp-sachsen.de",
        "url": "https://dkp-sachsen.de",
        "year": 2024,
        "month": 4,
        "day": 27,
        "caution": "",
        "note": {
            "en": "Quotes the plaque.",
            "de": "Zitiert die Gedenktafel.",
            "ru": "Приводит текст памятной доски.",
        },
    },
    33: {
        "title": "Elbe Day 2025: Torgau gedenkt ...",
        "author": "mynewsdesk.com",
        "url": "https://mynewsdesk.com/de/leipzig/news/elbe-day-2025-torgau-gedenkt-der-historischen-begegnung-und-dem-kriegsende-vor-80-jahren-496140",
        "year": None,
        "month": None,
        "day": None,
        "caution": "",
        "note": dict(_NO_NOTE),
    },
    34: {
        "title": "nva-interessengemeinschaft-halle.com",
        "author": "",
        "url": "https://nva-interessengemeinschaft-halle.com/kalender20/elbetreffen.htm",
        "year": None,
        "month": None,
        "day": None,
        "caution": "",
        "note": dict(_NO_NOTE),
    },
    35: {
        "title": "Lorenzkirch",
        "author": "de.zxc.wiki",
        "url": "https://de.zxc.wiki/wiki/Lorenzkirch",
        "year": None,
        "month": None,
        "day": None,
        "caution": "",
        "note": {
            "en": "Encyclopedia entry.",
            "de": "Lexikonartikel.",
            "ru": "Энциклопедическая статья.",
        },
    },
    37: {
        "title": "Das Ende der Wehrmachtjustiz in Torgau am 25. April 1945",
        "author": "Stiftung Sächsische Gedenkstätten",
        "url": "https://stsg.de/cms/torgau/aktuelles/1945-2020-kalenderblatt-das-ende-der-wehrmachtjustiz-torgau-am-25-april-1945",
        "year": None,
        "month": None,
        "day": None,
        "caution": "",
        "note": dict(_NO_NOTE),
    },
    38: {
        "title": "U.S. and Russia: a history lesson",
        "author": "Mass Peace Action",
        "url": "https://masspeaceaction.org/u-s-and-russia-a-history-lesson/",
        "year": None,
        "month": None,
        "day": None,
        "caution": "",
        "note": {
            "en": "Quotes the marker's text.",
            "de": "Zitiert den Text des Gedenkzeichens.",
            "ru": "Приводит текст памятного знака.",
        },
    },
    39: {
        "title": "TASS",
        "author": "TASS",
        "url": "https://tass.com/society/1001553",
        "year": None,
        "month": None,
        "day": None,
        "caution": "state_media",
        "note": dict(_NO_NOTE),
    },
    40: {
        "title": "The Robertson Patrol",
        "author": "",
        "url": "https://docslib.org/doc/11352219/the-robertson-patrol",
        "year": 1995,
        "month": 4,
        "day": 1,
        "caution": "",
        "note": {
            "en": "A letter dated 1 April 1995.",
            "de": "Ein Brief vom 1. April 1995.",
            "ru": "Письмо от 1 апреля 1995 года.",
        },
    },
    43: {
        "title": "militarynews.ru",
        "author": "militarynews.ru",
        "url": "https://militarynews.ru/Story.asp?nid=410752&rid=1",
        "year": None,
        "month": None,
        "day": None,
        "caution": "state_media",
        "note": dict(_NO_NOTE),
    },
    44: {
        "title": "Exhibitions",
        "author": "Museum Torgau",
        "url": "https://museum-torgau.de/index.php/ausstellungen/kabinettausstellung",
        "year": None,
        "month": None,
        "day": None,
        "caution": "",
        "note": dict(_NO_NOTE),
    },
    45: {
        "title": "Torgau 1945 – Ein Kriegsende in Europa",
        "author": "dresden-erinnern.org",
        "url": "https://dresden-erinnern.org/torgau-1945-ein-kriegsende-in-europa-4",
        "year": None,
        "month": None,
        "day": None,
        "caution": "",
        "note": dict(_NO_NOTE),
    },
    57: {
        "title": "Torgauer Zeitung",
        "author": "Torgauer Zeitung",
        "url": "https://torgauerzeitung.com",
        "year": 2018,
        "month": 4,
        "day": 25,
        "caution": "",
        "note": dict(_NO_NOTE),
    },
    # Cited by the demo ceremonies (events/demo.py).
    51: {
        "title": "Gedenken im kleinsten Kreis am Elbe Day in Torgau",
        "author": "Die Welt",
        "url": "https://www.welt.de/regionales/sachsen/article207507633/Gedenken-im-kleinsten-Kreis-am-Elbe-Day-in-Torgau.html",
        "year": None,
        "month": None,
        "day": None,
        "caution": "",
        "note": dict(_NO_NOTE),
    },
    53: {
        "title": "Elbe Day 2022",
        "author": "MDR",
        "url": "",
        "year": None,
        "month": None,
        "day": None,
        "caution": "",
        "note": {
            "en": "Article feier-elbe-day-absage-fuenfundzwanzigster-april-100.html on mdr.de.",
            "de": "Artikel feier-elbe-day-absage-fuenfundzwanzigster-april-100.html auf mdr.de.",
            "ru": "Статья feier-elbe-day-absage-fuenfundzwanzigster-april-100.html на mdr.de.",
        },
    },
    55: {
        "title": "Gedenkveranstaltung in Torgau",
        "author": "wom87.de",
        "url": "https://wom87.de/wissenschaft/gedenkveranstaltung-in-torgau-botschafter-netschajew-sorgt-fuer-aufregung",
        "year": None,
        "month": None,
        "day": None,
        "caution": "",
        "note": dict(_NO_NOTE),
    },
}


def _empty():
    return {"en": "", "de": "", "ru": ""}


SITES = [
    # ------------------------------------------------------------------ Torgau
    {
        "slug": "denkmal-der-begegnung-torgau",
        "kind": "monument",
        "name": {
            "en": "Monument of the Meeting (Denkmal der Begegnung)",
            "de": "Denkmal der Begegnung",
            "ru": "Памятник встрече (Denkmal der Begegnung)",
        },
        "summary": {
            "en": "Sandstone monument on the Elbe in Torgau, designed by the Soviet officer "
            "Avraam Miletsky and completed in 1945 (one source: 1946).",
            "de": "Denkmal aus Sandstein an der Elbe in Torgau, entworfen von dem sowjetischen "
            "Offizier Awraam Milezki, fertiggestellt 1945 (laut einer Quelle 1946).",
            "ru": "Памятник из песчаника на Эльбе в Торгау по проекту советского офицера "
            "Авраама Милецкого, завершён в 1945 году (по одному источнику — в 1946-м).",
        },
        "history": {
            "en": (
                "Torgau was taken without a fight on 25 April 1945: that morning the last German "
                "troops blew up the bridges and left the town. In the afternoon (about 15:30 or "
                "16:00, depending on the source) 2nd Lt William D. Robertson, with Frank Huff, "
                "James McDonnell and Paul Staub, met Lt Alexander Silvashko (also spelled "
                "Sylvashko) of the 173rd Guards Rifle Regiment on the wrecked Elbe bridge.\n\n"
                "The monument stands on the Elbe below Schloss Hartenfels. It was designed by "
                "Avraam Miletsky, a Soviet captain and architect from Kyiv, and is made of "
                "sandstone; at the top are the Soviet and US flags and rifles in a wreath. It was "
                "completed in September 1945, although one source gives 1946. Plaques in German "
                "and English were added later.\n\n"
                "The monument was restored in 2003 and again in 2019. The second restoration cost "
                "EUR 50,000, and the restored monument was handed over on 3 December 2019. Every "
                "25 April wreaths are laid and speeches given here."
            ),
            "de": (
                "Torgau wurde am 25. April 1945 kampflos eingenommen: Am Morgen hatten die letzten "
                "deutschen Truppen die Brücken gesprengt und die Stadt verlassen. Am Nachmittag "
                "(je nach Quelle gegen 15:30 oder 16:00 Uhr) trafen Leutnant William D. Robertson "
                "und seine Begleiter Frank Huff, James McDonnell und Paul Staub auf der zerstörten "
                "Elbbrücke Leutnant Alexander Silwaschko (in englischen Quellen Silvashko oder "
                "Sylvashko) vom 173. Gardeschützenregiment.\n\n"
                "Das Denkmal steht an der Elbe unterhalb von Schloss Hartenfels. Entworfen hat es "
                "der sowjetische Hauptmann Awraam Milezki, ein Architekt aus Kiew. Es besteht aus "
                "Sandstein und wird von der sowjetischen und der amerikanischen Flagge sowie von "
                "Gewehren in einem Kranz bekrönt. Fertiggestellt wurde es im September 1945; eine "
                "Quelle nennt allerdings 1946. Tafeln in deutscher und englischer Sprache kamen "
                "später hinzu.\n\n"
                "Restauriert wurde das Denkmal 2003 und erneut 2019. Die zweite Restaurierung "
                "kostete 50.000 Euro; am 3. Dezember 2019 wurde das Denkmal wieder übergeben. "
                "Jedes Jahr am 25. April werden hier Kränze niedergelegt und Reden gehalten."
            ),
            "ru": (
                "25 апреля 1945 года Торгау был занят без боя: утром последние немецкие части "
                "взорвали мосты и оставили город. Во второй половине дня (около 15:30 или 16:00 — "
                "источники расходятся) второй лейтенант Уильям Д. Робертсон вместе с Фрэнком "
                "Хаффом, Джеймсом Макдоннеллом и Полом Стаубом встретился на разрушенном мосту "
                "через Эльбу с лейтенантом Александром Сильвашко (в англоязычных источниках также "
                "Sylvashko) из 173-го гвардейского стрелкового полка.\n\n"
                "Памятник стоит на берегу Эльбы под замком Хартенфельс. Его спроектировал "
                "советский капитан Авраам Милецкий, архитектор из Киева. Памятник выполнен из "
                "песчаника; его венчают советский и американский флаги и винтовки в венке. Он был "
                "завершён в сентябре 1945 года, хотя один источник называет 1946 год. Таблички на "
                "немецком и английском языках появились позднее.\n\n"
                "Памятник реставрировали в 2003 и 2019 годах. Вторая реставрация обошлась в "
                "50 000 евро; 3 декабря 2019 года состоялась передача отреставрированного "
                "памятника. Каждый год 25 апреля здесь возлагают венки и произносят речи."
            ),
        },
        "inscription": "",
        "inscription_language": _empty(),
        "inscription_translation": _empty(),
        "town": {"en": "Torgau", "de": "Torgau", "ru": "Торгау"},
        "address": "Elbstraße",
        "country": "DE",
        "latitude": 51.560,
        "longitude": 13.010,
        "location_precision": "town",
        "creator": {
            "en": "Avraam Miletsky, Soviet captain and architect from Kyiv",
            "de": "Awraam Milezki, sowjetischer Hauptmann und Architekt aus Kiew",
            "ru": "Авраам Милецкий, советский капитан, архитектор из Киева",
        },
        "dedicated_by": _empty(),
        "visiting_info": {
            "en": "Elbstraße, on the Elbe below Schloss Hartenfels. A wreath-laying is held "
            "here every 25 April.",
            "de": "Elbstraße, an der Elbe unterhalb von Schloss Hartenfels. Jedes Jahr am "
            "25. April findet hier eine Kranzniederlegung statt.",
            "ru": "Эльбштрассе, на берегу Эльбы под замком Хартенфельс. Ежегодно 25 апреля "
            "здесь проходит возложение венков.",
        },
        "accessibility_notes": _empty(),
        "dates": [
            {
                "kind": "completed",
                "year": 1945,
                "month": 9,
                "day": None,
                "note": {
                    "en": "One source gives 1946.",
                    "de": "Eine Quelle nennt 1946.",
                    "ru": "По данным одного источника — 1946 год.",
                },
            },
            {"kind": "restored", "year": 2003, "month": None, "day": None, "note": _empty()},
            {
                "kind": "restored",
                "year": 2019,
                "month": None,
                "day": None,
                "note": {
                    "en": "Cost EUR 50,000; the restored monument was handed over on "
                    "3 December 2019.",
                    "de": "Kosten: 50.000 Euro; das restaurierte Denkmal wurde am 3. Dezember 2019 "
                    "übergeben.",
                    "ru": "Стоимость — 50 000 евро; отреставрированный памятник передан "
                    "3 декабря 2019 года.",
                },
            },
        ],
        "sources": [4, 5, 11, 12, 13, 14, 29, 33, 37, 57],
    },
    {
        "slug": "fahnenmasten-spirit-of-the-elbe-torgau",
        "kind": "flagpoles",
        "name": {
            "en": "Flagpoles and “Spirit of the Elbe” plaque",
            "de": "Fahnenmasten und Gedenktafel „Spirit of the Elbe“",
            "ru": "Флагштоки и памятная доска «Spirit of the Elbe» («Дух Эльбы»)",
        },
        "summary": {
            "en": "Flagpoles on the east bank of the Elbe at Torgau mark the meeting place; a "
            "“Spirit of the Elbe” plaque was added on 25 April 1998.",
            "de": "Fahnenmasten am Ostufer der Elbe in Torgau markieren den Ort der Begegnung; "
            "die Tafel „Spirit of the Elbe“ kam am 25. April 1998 hinzu.",
            "ru": "Флагштоки на восточном берегу Эльбы в Торгау отмечают место встречи; доска "
            "«Spirit of the Elbe» установлена 25 апреля 1998 года.",
        },
        "history": {
            "en": (
                "On the east bank of the Elbe, across the river from the Denkmal der Begegnung, "
                "flagpoles mark the place where American and Soviet soldiers met in Torgau on "
                "25 April 1945.\n\n"
                "The “Spirit of the Elbe” plaque was put up on 25 April 1998 by the 69th Infantry "
                "Division Memorial Fund together with Soviet veterans."
            ),
            "de": (
                "Am Ostufer der Elbe, gegenüber dem Denkmal der Begegnung, markieren Fahnenmasten "
                "die Stelle, an der sich am 25. April 1945 in Torgau amerikanische und sowjetische "
                "Soldaten begegneten.\n\n"
                "Die Gedenktafel „Spirit of the Elbe“ wurde am 25. April 1998 vom 69th Infantry "
                "Division Memorial Fund gemeinsam mit sowjetischen Veteranen angebracht."
            ),
            "ru": (
                "На восточном берегу Эльбы, напротив Памятника встрече, флагштоки отмечают место, "
                "где 25 апреля 1945 года в Торгау встретились американские и советские солдаты.\n\n"
                "Памятную доску «Spirit of the Elbe» («Дух Эльбы») установили 25 апреля 1998 года "
                "Мемориальный фонд 69-й пехотной дивизии и советские ветераны."
            ),
        },
        "inscription": "",
        "inscription_language": _empty(),
        "inscription_translation": _empty(),
        "town": {"en": "Torgau", "de": "Torgau", "ru": "Торгау"},
        "address": "",
        "country": "DE",
        "latitude": 51.560,
        "longitude": 13.013,
        "location_precision": "town",
        "creator": _empty(),
        "dedicated_by": {
            "en": "69th Infantry Division Memorial Fund and Soviet veterans (plaque)",
            "de": "69th Infantry Division Memorial Fund und sowjetische Veteranen (Gedenktafel)",
            "ru": "Мемориальный фонд 69-й пехотной дивизии и советские ветераны (памятная доска)",
        },
        "visiting_info": {
            "en": "On the east bank of the Elbe, opposite the Denkmal der Begegnung.",
            "de": "Am Ostufer der Elbe, gegenüber dem Denkmal der Begegnung.",
            "ru": "На восточном берегу Эльбы, напротив Памятника встрече.",
        },
        "accessibility_notes": _empty(),
        "dates": [
            {
                "kind": "erected",
                "year": 1998,
                "month": 4,
                "day": 25,
                "note": {
                    "en": "The “Spirit of the Elbe” plaque.",
                    "de": "Die Gedenktafel „Spirit of the Elbe“.",
                    "ru": "Памятная доска «Spirit of the Elbe».",
                },
            },
        ],
        "sources": [5, 31, 32],
    },
    {
        "slug": "grab-joseph-polowsky-torgau",
        "kind": "grave",
        "name": {
            "en": "Grave of Joseph Polowsky",
            "de": "Grab von Joseph Polowsky",
            "ru": "Могила Джозефа Половски",
        },
        "summary": {
            "en": "Grave of Joseph Polowsky, a US veteran of the Kotzebue patrol who campaigned "
            "for 25 April as a world day of peace.",
            "de": "Grab von Joseph Polowsky, US-Veteran der Patrouille Kotzebue, der sich für den "
            "25. April als Welttag des Friedens einsetzte.",
            "ru": "Могила Джозефа Половски — американского ветерана из патруля Котцебу, "
            "добивавшегося, чтобы 25 апреля стало всемирным днём мира.",
        },
        "history": {
            "en": (
                "Joseph Polowsky was born in Chicago on 2 October 1916. He was a member of 1st Lt "
                "Albert Kotzebue's patrol of the 69th Infantry Division, which crossed the Elbe "
                "from Strehla to Lorenzkirch on 25 April 1945 and met Soviet troops there. He "
                "later campaigned for 25 April to be kept as a world day of peace.\n\n"
                "Polowsky died on 17 October 1983 and was buried in Torgau in November 1983. "
                "Three American and three Soviet veterans carried his coffin. His headstone "
                "shows a handshake."
            ),
            "de": (
                "Joseph Polowsky wurde am 2. Oktober 1916 in Chicago geboren. Er gehörte zur "
                "Patrouille von Oberleutnant Albert Kotzebue aus der 69. US-Infanteriedivision, "
                "die am 25. April 1945 von Strehla nach Lorenzkirch übersetzte und dort auf "
                "sowjetische Truppen traf. Später setzte er sich dafür ein, den 25. April als "
                "Welttag des Friedens zu begehen.\n\n"
                "Polowsky starb am 17. Oktober 1983 und wurde im November 1983 in Torgau "
                "beigesetzt. Drei amerikanische und drei sowjetische Veteranen trugen seinen "
                "Sarg. Sein Grabstein zeigt einen Händedruck."
            ),
            "ru": (
                "Джозеф Половски родился в Чикаго 2 октября 1916 года. Он был в патруле первого "
                "лейтенанта Альберта Котцебу из 69-й пехотной дивизии США, который 25 апреля "
                "1945 года переправился через Эльбу из Штрелы в Лоренцкирх и встретился там с "
                "советскими войсками. Позднее Половски добивался, чтобы 25 апреля отмечалось как "
                "всемирный день мира.\n\n"
                "Половски умер 17 октября 1983 года и в ноябре того же года был похоронен в "
                "Торгау. Его гроб несли три американских и три советских ветерана. На надгробии "
                "изображено рукопожатие."
            ),
        },
        "inscription": "",
        "inscription_language": _empty(),
        "inscription_translation": _empty(),
        "town": {"en": "Torgau", "de": "Torgau", "ru": "Торгау"},
        "address": "",
        "country": "DE",
        "latitude": 51.560,
        "longitude": 13.000,
        "location_precision": "town",
        "creator": _empty(),
        "dedicated_by": _empty(),
        "visiting_info": {
            "en": "In the Protestant cemetery in Torgau.",
            "de": "Auf dem evangelischen Friedhof in Torgau.",
            "ru": "На евангелическом кладбище в Торгау.",
        },
        "accessibility_notes": _empty(),
        "dates": [
            {"kind": "buried", "year": 1983, "month": 11, "day": None, "note": _empty()},
        ],
        "sources": [1, 3, 10, 15, 16],
    },
    # ------------------------------------------------------ Strehla / Lorenzkirch
    {
        "slug": "relief-denkmal-der-begegnung-strehla",
        "kind": "relief",
        "name": {
            "en": "Relief “Denkmal der Begegnung”, Strehla",
            "de": "Relief „Denkmal der Begegnung“, Strehla",
            "ru": "Рельеф «Памятник встрече» (Denkmal der Begegnung) в Штреле",
        },
        "summary": {
            "en": "Relief by the Russian sculptor Vladimir Surovtsev at the old ferry in Strehla, "
            "unveiled on 25 April 1995.",
            "de": "Relief des russischen Bildhauers Wladimir Surowzew an der alten Fähre in "
            "Strehla, enthüllt am 25. April 1995.",
            "ru": "Рельеф работы российского скульптора Владимира Суровцева у старой паромной "
            "переправы в Штреле, открыт 25 апреля 1995 года.",
        },
        "history": {
            "en": (
                "On 25 April 1945 a patrol of the 273rd Infantry Regiment, 69th US Infantry "
                "Division, led by 1st Lt Albert Kotzebue, crossed the Elbe by boat from the "
                "Strehla ferry to Lorenzkirch. There it met Lt Col Alexander Gordeyev, commander "
                "of the 175th Guards Rifle Regiment, 58th Guards Rifle Division. Accounts of the "
                "time differ, ranging from “morning” to between 12:00 and 13:00.\n\n"
                "The relief at the old ferry is the work of the Russian sculptor Vladimir "
                "Surovtsev. It was unveiled on 25 April 1995."
            ),
            "de": (
                "Am 25. April 1945 setzte eine Patrouille des 273. Infanterieregiments der "
                "69. US-Infanteriedivision unter Oberleutnant Albert Kotzebue mit einem Boot von "
                "der Fähre in Strehla nach Lorenzkirch über. Dort traf sie auf Oberstleutnant "
                "Alexander Gordejew, den Kommandeur des 175. Gardeschützenregiments der "
                "58. Gardeschützendivision. Die Zeitangaben gehen auseinander – von „am Morgen“ "
                "bis zwischen 12 und 13 Uhr.\n\n"
                "Das Relief an der alten Fähre stammt von dem russischen Bildhauer Wladimir "
                "Surowzew. Es wurde am 25. April 1995 enthüllt."
            ),
            "ru": (
                "25 апреля 1945 года патруль 273-го пехотного полка 69-й пехотной дивизии США "
                "под командованием первого лейтенанта Альберта Котцебу переправился на лодке "
                "через Эльбу от паромной переправы в Штреле к Лоренцкирху. Там американцы "
                "встретили подполковника Александра Гордеева, командира 175-го гвардейского "
                "стрелкового полка 58-й гвардейской стрелковой дивизии. Время встречи в разных "
                "свидетельствах указано по-разному — от «утра» до промежутка между 12:00 и "
                "13:00.\n\n"
                "Рельеф у старой паромной переправы создал российский скульптор Владимир "
                "Суровцев. Он был открыт 25 апреля 1995 года."
            ),
        },
        "inscription": "",
        "inscription_language": _empty(),
        "inscription_translation": _empty(),
        "town": {"en": "Strehla", "de": "Strehla", "ru": "Штрела"},
        "address": "",
        "country": "DE",
        "latitude": 51.352,
        "longitude": 13.225,
        "location_precision": "town",
        "creator": {
            "en": "Vladimir Surovtsev, Russian sculptor",
            "de": "Wladimir Surowzew, russischer Bildhauer",
            "ru": "Владимир Суровцев, российский скульптор",
        },
        "dedicated_by": _empty(),
        "visiting_info": {
            "en": "At the old ferry in Strehla.",
            "de": "An der alten Fähre in Strehla.",
            "ru": "У старой паромной переправы в Штреле.",
        },
        "accessibility_notes": _empty(),
        "dates": [
            {"kind": "unveiled", "year": 1995, "month": 4, "day": 25, "note": _empty()},
        ],
        "sources": [1, 3, 4, 5, 34],
    },
    {
        "slug": "gedenkstein-lorenzkirch",
        "kind": "memorial_stone",
        "name": {
            "en": "Memorial stone, Lorenzkirch",
            "de": "Gedenkstein Lorenzkirch",
            "ru": "Памятный камень в Лоренцкирхе",
        },
        "summary": {
            "en": "Boulder in front of the village cemetery on the Alte Salzstraße, recalling "
            "the US–Soviet meeting at Lorenzkirch on 25 April 1945 and the civilian victims.",
            "de": "Findling vor dem Dorffriedhof an der Alten Salzstraße, der an die "
            "amerikanisch-sowjetische Begegnung bei Lorenzkirch am 25. April 1945 und an die "
            "zivilen Opfer erinnert.",
            "ru": "Валун перед деревенским кладбищем на Альте-Зальцштрассе в память о "
            "советско-американской встрече у Лоренцкирха 25 апреля 1945 года и о погибших "
            "мирных жителях.",
        },
        "history": {
            "en": (
                "On 25 April 1945 1st Lt Albert Kotzebue's patrol of the 69th US Infantry "
                "Division crossed the Elbe by boat from the Strehla ferry and landed at "
                "Lorenzkirch, where it met Lt Col Alexander Gordeyev, commander of the 175th "
                "Guards Rifle Regiment. The sources put the meeting anywhere from the morning to "
                "12:00–13:00. A second meeting followed at Kreinitz at about 13:30.\n\n"
                "At that time the Elbe meadows at Lorenzkirch were covered with the bodies of "
                "civilians: refugees who had been killed after the bridge was blown up on "
                "22 April.\n\n"
                "The boulder, inscribed “April 1945”, stands in front of the village cemetery "
                "on the Alte Salzstraße. It was given by the Kulturverein Lorenzkirch and "
                "dedicated on 22 April 1995. It recalls both the meeting and the civilian "
                "victims. The meeting at Lorenzkirch is often called the first contact, but "
                "accounts differ: some put a first contact earlier, at about 11:30 at Leckwitz, "
                "with a lone Soviet horseman."
            ),
            "de": (
                "Am 25. April 1945 setzte die Patrouille von Oberleutnant Albert Kotzebue "
                "(69. US-Infanteriedivision) mit einem Boot von der Fähre in Strehla über und "
                "landete bei Lorenzkirch. Dort traf sie auf Oberstleutnant Alexander Gordejew, "
                "den Kommandeur des 175. Gardeschützenregiments. Die Quellen datieren die "
                "Begegnung unterschiedlich, vom Morgen bis zwischen 12 und 13 Uhr. Gegen "
                "13:30 Uhr folgte eine zweite Begegnung bei Kreinitz.\n\n"
                "Die Elbwiesen bei Lorenzkirch waren damals mit den Leichen von Zivilisten "
                "bedeckt – Flüchtlingen, die nach der Sprengung der Brücke am 22. April getötet "
                "worden waren.\n\n"
                "Der Findling mit der Inschrift „April 1945“ steht vor dem Dorffriedhof an der "
                "Alten Salzstraße. Er ist eine Gabe des Kulturvereins Lorenzkirch und wurde am "
                "22. April 1995 eingeweiht. Er erinnert an die Begegnung ebenso wie an die "
                "zivilen Opfer. Die Begegnung bei Lorenzkirch gilt oft als der erste Kontakt, "
                "doch die Berichte gehen auseinander: Manche setzen einen ersten Kontakt früher "
                "an, gegen 11:30 Uhr bei Leckwitz, mit einem einzelnen sowjetischen Reiter."
            ),
            "ru": (
                "25 апреля 1945 года патруль первого лейтенанта Альберта Котцебу из 69-й пехотной "
                "дивизии США переправился на лодке через Эльбу от паромной переправы в Штреле и "
                "высадился у Лоренцкирха. Здесь американцы встретили подполковника Александра "
                "Гордеева, командира 175-го гвардейского стрелкового полка. Источники относят "
                "встречу к разному времени — от утра до 12:00–13:00. Около 13:30 у Крайница "
                "состоялась вторая встреча.\n\n"
                "Луга у Лоренцкирха в те дни были усеяны телами мирных жителей — беженцев, "
                "погибших после того, как 22 апреля был взорван мост.\n\n"
                "Валун с надписью «April 1945» («Апрель 1945») стоит перед деревенским "
                "кладбищем на Альте-Зальцштрассе (Alte Salzstraße). Его подарило культурное "
                "общество Лоренцкирха (Kulturverein Lorenzkirch); он был торжественно открыт "
                "22 апреля 1995 года. "
                "Камень напоминает и о встрече, и о погибших мирных жителях. Встречу у "
                "Лоренцкирха часто называют первым контактом, но свидетельства расходятся: по "
                "некоторым данным, первый контакт произошёл раньше, около 11:30 у Леквица, с "
                "одиночным советским всадником."
            ),
        },
        "inscription": "April 1945",
        "inscription_language": _empty(),
        "inscription_translation": {"en": "", "de": "", "ru": "Апрель 1945"},
        "town": {"en": "Lorenzkirch", "de": "Lorenzkirch", "ru": "Лоренцкирх"},
        "address": "Alte Salzstraße",
        "country": "DE",
        "latitude": 51.355,
        "longitude": 13.243,
        "location_precision": "town",
        "creator": _empty(),
        # The sources say the Kulturverein gave the stone (see the date's note), not
        # that it dedicated it.
        "dedicated_by": _empty(),
        "visiting_info": {
            "en": "In front of the village cemetery on the Alte Salzstraße in Lorenzkirch.",
            "de": "Vor dem Dorffriedhof an der Alten Salzstraße in Lorenzkirch.",
            "ru": "Перед деревенским кладбищем на Альте-Зальцштрассе (Alte Salzstraße) в "
            "Лоренцкирхе.",
        },
        "accessibility_notes": _empty(),
        "dates": [
            {
                "kind": "dedicated",
                "year": 1995,
                "month": 4,
                "day": 22,
                "note": {
                    "en": "The stone was given by the Kulturverein Lorenzkirch.",
                    "de": "Der Stein ist eine Gabe des Kulturvereins Lorenzkirch.",
                    "ru": "Камень подарило культурное общество Лоренцкирха "
                    "(Kulturverein Lorenzkirch).",
                },
            },
        ],
        "sources": [1, 3, 4, 5, 20, 34, 35],
    },
    # ---------------------------------------------------------------- Burxdorf
    {
        "slug": "gedenkstein-burxdorf",
        "kind": "memorial_stone",
        "name": {
            "en": "Memorial stone, Burxdorf",
            "de": "Gedenkstein Burxdorf",
            "ru": "Памятный камень в Бурксдорфе",
        },
        "summary": {
            "en": "Stone in Burxdorf with a three-language plaque bearing Joseph Polowsky's "
            "oath, and a wooden peace dove.",
            "de": "Gedenkstein in Burxdorf mit einer dreisprachigen Tafel, die den Schwur von "
            "Joseph Polowsky wiedergibt, und einer hölzernen Friedenstaube.",
            "ru": "Камень в Бурксдорфе с трёхъязычной доской, на которой приведена клятва "
            "Джозефа Половски, и деревянным голубем мира.",
        },
        "history": {
            "en": (
                "In Burxdorf (Bad Liebenwerda) a memorial stone carries a plaque with Joseph "
                "Polowsky's oath in three languages; there is also a wooden peace dove.\n\n"
                "Polowsky was an American veteran of the Kotzebue patrol, which met Soviet "
                "troops at Lorenzkirch on the Elbe on 25 April 1945; accounts differ on where "
                "the first contact was made. He campaigned for 25 April to be kept as a world "
                "day of peace."
            ),
            "de": (
                "In Burxdorf (Bad Liebenwerda) trägt ein Gedenkstein eine Tafel mit dem Schwur "
                "von Joseph Polowsky in drei Sprachen; dazu gehört eine hölzerne "
                "Friedenstaube.\n\n"
                "Polowsky war ein amerikanischer Veteran der Patrouille Kotzebue, die am "
                "25. April 1945 bei Lorenzkirch an der Elbe auf sowjetische Truppen traf; wo "
                "der erste Kontakt stattfand, wird unterschiedlich berichtet. Er setzte sich "
                "dafür ein, den 25. April als Welttag des Friedens zu begehen."
            ),
            "ru": (
                "В Бурксдорфе (Бад-Либенверда) стоит памятный камень с доской, на которой на "
                "трёх языках приведена клятва Джозефа Половски; там же установлен деревянный "
                "голубь мира.\n\n"
                "Половски — американский ветеран патруля Котцебу, который 25 апреля 1945 года "
                "встретился с советскими войсками у Лоренцкирха на Эльбе; о том, где произошёл "
                "первый контакт, свидетельства расходятся. Он добивался, чтобы 25 апреля "
                "отмечалось как всемирный день мира."
            ),
        },
        "inscription": "",
        "inscription_language": {
            "en": "Three languages",
            "de": "Drei Sprachen",
            "ru": "Три языка",
        },
        "inscription_translation": _empty(),
        "town": {
            "en": "Burxdorf (Bad Liebenwerda)",
            "de": "Burxdorf (Bad Liebenwerda)",
            "ru": "Бурксдорф (Бад-Либенверда)",
        },
        "address": "Dorfstraße 49",
        "country": "DE",
        "latitude": None,
        "longitude": None,
        "location_precision": "unknown",
        "creator": _empty(),
        "dedicated_by": _empty(),
        "visiting_info": {
            "en": "Dorfstraße 49, Burxdorf. No map position is known.",
            "de": "Dorfstraße 49, Burxdorf. Eine Kartenposition ist nicht bekannt.",
            "ru": "Бурксдорф, Дорфштрассе, 49. Точное положение на карте неизвестно.",
        },
        "accessibility_notes": _empty(),
        "dates": [],
        "sources": [1, 3, 10, 21, 34],
    },
    # ---------------------------------------------------------------- Arlington
    {
        "slug": "spirit-of-the-elbe-marker-arlington",
        "kind": "marker",
        "name": {
            "en": "“Spirit of the Elbe” marker, Arlington National Cemetery",
            "de": "Gedenkzeichen „Spirit of the Elbe“ auf dem Nationalfriedhof Arlington",
            "ru": "Памятный знак «Дух Эльбы» (Spirit of the Elbe) "
            "на Арлингтонском национальном кладбище",
        },
        "summary": {
            "en": "Marker at Arlington National Cemetery with an English and Russian text on the "
            "link-up at the Elbe; unveiled in April 1995.",
            "de": "Gedenkzeichen auf dem Nationalfriedhof Arlington mit englischem und russischem "
            "Text zur Begegnung an der Elbe; enthüllt im April 1995.",
            "ru": "Памятный знак на Арлингтонском национальном кладбище с текстом на английском "
            "и русском языках о встрече на Эльбе; открыт в апреле 1995 года.",
        },
        "history": {
            "en": (
                "The marker stands in Arlington National Cemetery, Virginia. Its text, in "
                "English and Russian, honours the cooperation of American, Soviet and Allied "
                "forces in the Second World War and the link-up of Soviet and American troops "
                "at the Elbe on 25 April 1945.\n\n"
                "It was unveiled in April 1995, for the 50th anniversary of the meeting."
            ),
            "de": (
                "Das Gedenkzeichen steht auf dem Nationalfriedhof Arlington in Virginia. Sein "
                "Text in englischer und russischer Sprache würdigt die Zusammenarbeit der "
                "amerikanischen, sowjetischen und alliierten Streitkräfte im Zweiten Weltkrieg "
                "und das Zusammentreffen sowjetischer und amerikanischer Truppen an der Elbe am "
                "25. April 1945.\n\n"
                "Enthüllt wurde es im April 1995, zum 50. Jahrestag der Begegnung."
            ),
            "ru": (
                "Памятный знак находится на Арлингтонском национальном кладбище в штате "
                "Виргиния. Текст на английском и русском языках отдаёт должное сотрудничеству "
                "американских, советских и союзных вооружённых сил во Второй мировой войне и "
                "встрече советских и американских войск на Эльбе 25 апреля 1945 года.\n\n"
                "Знак открыли в апреле 1995 года, к 50-летию встречи."
            ),
        },
        "inscription": (
            "In recognition of the cooperation by American, Soviet and Allied armed forces "
            "during World War II. This marker symbolizes the link up of Soviet and American "
            "elements at the Elbe River on 25 April 1945. In tribute to the partnership in the "
            "battle against tyranny."
        ),
        # The fact sheet records the marker's English text; it gives the same in Russian,
        # whose wording is not recorded, so the page says so rather than pass off our
        # Russian translation as the marker's.
        "inscription_language": {
            "en": "English",
            "de": "Englisch",
            "ru": "английский",
        },
        "inscription_note": {
            "en": "The marker gives this text in English and in Russian; the Russian wording "
            "on the marker is not recorded here.",
            "de": "Das Gedenkzeichen trägt diesen Text auf Englisch und auf Russisch; der "
            "russische Wortlaut des Gedenkzeichens ist hier nicht erfasst.",
            "ru": "Текст на знаке приведён на английском и на русском языках; русский текст "
            "самого знака здесь не записан.",
        },
        "inscription_translation": {
            "en": "",
            "de": (
                "In Anerkennung der Zusammenarbeit der amerikanischen, sowjetischen und "
                "alliierten Streitkräfte im Zweiten Weltkrieg. Dieses Gedenkzeichen "
                "symbolisiert das Zusammentreffen sowjetischer und amerikanischer Truppenteile "
                "an der Elbe am 25. April 1945. Zu Ehren der Partnerschaft im Kampf gegen die "
                "Tyrannei."
            ),
            "ru": (
                "В знак признания сотрудничества американских, советских и союзных вооружённых "
                "сил во время Второй мировой войны. Этот памятный знак символизирует встречу "
                "советских и американских частей на реке Эльбе 25 апреля 1945 года. В честь "
                "партнёрства в борьбе против тирании."
            ),
        },
        "town": {
            "en": "Arlington, Virginia",
            "de": "Arlington, Virginia",
            "ru": "Арлингтон, Виргиния",
        },
        "address": "Arlington National Cemetery",
        "country": "US",
        "latitude": 38.878,
        "longitude": -77.069,
        "location_precision": "town",
        "creator": _empty(),
        "dedicated_by": _empty(),
        "visiting_info": {
            "en": "In Arlington National Cemetery. The map point marks the cemetery, not the "
            "marker itself.",
            "de": "Auf dem Nationalfriedhof Arlington. Der Kartenpunkt bezeichnet den Friedhof, "
            "nicht das Gedenkzeichen selbst.",
            "ru": "На Арлингтонском национальном кладбище. Точка на карте обозначает кладбище, "
            "а не сам памятный знак.",
        },
        "accessibility_notes": _empty(),
        "dates": [
            {
                "kind": "unveiled",
                "year": 1995,
                "month": 4,
                "day": None,
                "note": {
                    "en": "50th anniversary of the meeting.",
                    "de": "50. Jahrestag der Begegnung.",
                    "ru": "50-летие встречи.",
                },
            },
        ],
        "sources": [38, 39, 40],
    },
    # ------------------------------------------------------------------- Moscow
    {
        "slug": "vstrecha-na-elbe-moskva",
        "kind": "sculpture",
        "name": {
            "en": "Sculpture “Meeting on the Elbe”",
            "de": "Skulptur „Begegnung an der Elbe“",
            "ru": "Скульптура «Встреча на Эльбе»",
        },
        "summary": {
            "en": "Sculpture by Alexander Burganov in Moscow commemorating the meeting on the "
            "Elbe, unveiled on 25 April 2016.",
            "de": "Skulptur von Alexander Burganow in Moskau zur Erinnerung an die Begegnung an "
            "der Elbe, enthüllt am 25. April 2016.",
            "ru": "Скульптура Александра Бурганова в Москве в память о встрече на Эльбе, "
            "открыта 25 апреля 2016 года.",
        },
        "history": {
            "en": (
                "The sculpture “Meeting on the Elbe”, by Alexander Burganov, stands at Sivtsev "
                "Vrazhek 11 in Moscow. It was unveiled on 25 April 2016, the 71st anniversary "
                "of the meeting."
            ),
            "de": (
                "Die Skulptur „Begegnung an der Elbe“ von Alexander Burganow steht in Moskau, "
                "Siwzew Wraschek 11. Sie wurde am 25. April 2016 enthüllt, dem 71. Jahrestag "
                "der Begegnung."
            ),
            "ru": (
                "Скульптура «Встреча на Эльбе» работы Александра Бурганова находится в Москве по "
                "адресу Сивцев Вражек, 11. Она была открыта 25 апреля 2016 года, в 71-ю "
                "годовщину встречи."
            ),
        },
        "inscription": "",
        "inscription_language": _empty(),
        "inscription_translation": _empty(),
        "town": {"en": "Moscow", "de": "Moskau", "ru": "Москва"},
        "address": "Sivtsev Vrazhek 11",
        "country": "RU",
        "latitude": 55.748,
        "longitude": 37.594,
        "location_precision": "street",
        "creator": {
            "en": "Alexander Burganov",
            "de": "Alexander Burganow",
            "ru": "Александр Бурганов",
        },
        "dedicated_by": _empty(),
        "visiting_info": {
            "en": "Sivtsev Vrazhek 11, Moscow.",
            "de": "Siwzew Wraschek 11, Moskau.",
            "ru": "Москва, Сивцев Вражек, 11.",
        },
        "accessibility_notes": _empty(),
        "dates": [
            {"kind": "unveiled", "year": 2016, "month": 4, "day": 25, "note": _empty()},
        ],
        "sources": [8, 43],
    },
    # ------------------------------------------------------------------ Museums
    {
        "slug": "museum-torgau-elbe-day",
        "kind": "museum",
        "name": {
            "en": "Museum Torgau: Elbe Day exhibition",
            "de": "Museum Torgau: Ausstellung zum Elbe Day",
            "ru": "Музей Торгау: экспозиция о Дне Эльбы",
        },
        "summary": {
            "en": "Museum Torgau has shown a cabinet exhibition on Elbe Day, the meeting of US "
            "and Soviet troops on 25 April 1945.",
            "de": "Das Museum Torgau hat eine Kabinettausstellung zum Elbe Day gezeigt, der "
            "Begegnung amerikanischer und sowjetischer Truppen am 25. April 1945.",
            "ru": "Музей Торгау показывал камерную выставку о Дне Эльбы — встрече "
            "американских и советских войск 25 апреля 1945 года.",
        },
        "history": {
            "en": (
                "Museum Torgau has shown a cabinet exhibition (a small display) about Elbe Day: "
                "the meeting of American and Soviet troops on the Elbe at Strehla, Lorenzkirch "
                "and Torgau on 25 April 1945."
            ),
            "de": (
                "Das Museum Torgau hat eine Kabinettausstellung zum Elbe Day gezeigt, der "
                "Begegnung amerikanischer und sowjetischer Truppen an der Elbe bei Strehla, "
                "Lorenzkirch und Torgau am 25. April 1945."
            ),
            "ru": (
                "Музей Торгау показывал камерную выставку о Дне Эльбы — встрече "
                "американских и советских войск на Эльбе у Штрелы, Лоренцкирха и Торгау "
                "25 апреля 1945 года."
            ),
        },
        "inscription": "",
        "inscription_language": _empty(),
        "inscription_translation": _empty(),
        "town": {"en": "Torgau", "de": "Torgau", "ru": "Торгау"},
        "address": "",
        "country": "DE",
        "latitude": None,
        "longitude": None,
        "location_precision": "unknown",
        "creator": _empty(),
        "dedicated_by": _empty(),
        "visiting_info": _empty(),
        "accessibility_notes": _empty(),
        "dates": [],
        "sources": [1, 3, 44],
    },
    {
        "slug": "diz-schloss-hartenfels-torgau",
        "kind": "museum",
        "name": {
            "en": "DIZ documentation centre, Schloss Hartenfels",
            "de": "Dokumentationszentrum DIZ im Schloss Hartenfels",
            "ru": "Документационный центр DIZ в замке Хартенфельс",
        },
        "summary": {
            "en": "The DIZ documentation centre in Schloss Hartenfels, Torgau, above the Elbe "
            "bank where the Denkmal der Begegnung stands.",
            "de": "Das Dokumentationszentrum DIZ im Schloss Hartenfels in Torgau, oberhalb des "
            "Elbufers mit dem Denkmal der Begegnung.",
            "ru": "Документационный центр DIZ в замке Хартенфельс в Торгау, над берегом Эльбы, "
            "где стоит Памятник встрече.",
        },
        "history": {
            "en": (
                "The DIZ documentation centre is housed in Schloss Hartenfels at "
                "Schlossstraße 27 in Torgau. The Denkmal der Begegnung stands on the Elbe "
                "below the castle."
            ),
            "de": (
                "Das Dokumentationszentrum DIZ befindet sich im Schloss Hartenfels, "
                "Schlossstraße 27, in Torgau. Unterhalb des Schlosses steht an der Elbe das "
                "Denkmal der Begegnung."
            ),
            "ru": (
                "Документационный центр DIZ размещается в замке Хартенфельс в Торгау "
                "(Шлоссштрассе, 27). Под замком, на берегу Эльбы, стоит Памятник встрече."
            ),
        },
        "inscription": "",
        "inscription_language": _empty(),
        "inscription_translation": _empty(),
        "town": {"en": "Torgau", "de": "Torgau", "ru": "Торгау"},
        "address": "Schlossstraße 27",
        "country": "DE",
        "latitude": None,
        "longitude": None,
        "location_precision": "unknown",
        "creator": _empty(),
        "dedicated_by": _empty(),
        "visiting_info": {
            "en": "Schloss Hartenfels, Schlossstraße 27, Torgau.",
            "de": "Schloss Hartenfels, Schlossstraße 27, Torgau.",
            "ru": "Торгау, замок Хартенфельс, Шлоссштрассе, 27.",
        },
        "accessibility_notes": _empty(),
        "dates": [],
        "sources": [11, 33, 45],
    },
]


HOME_INTRO = [
    {
        "en": (
            "On 25 April 1945 American and Soviet troops met on the Elbe. A patrol of the US "
            "69th Infantry Division under 1st Lt Albert Kotzebue crossed the river by boat from "
            "the Strehla ferry to Lorenzkirch and met Lt Col Alexander Gordeyev, commander of "
            "the Soviet 175th Guards Rifle Regiment. Accounts of the time vary from the morning "
            "to between 12:00 and 13:00. A second meeting followed at Kreinitz at about 13:30. "
            "Accounts of the first contact differ: some put it earlier, at about 11:30 at "
            "Leckwitz, with a lone Soviet horseman, before a meeting with Lt Grigori "
            "Goloborodko at about 12:30."
        ),
        "de": (
            "Am 25. April 1945 trafen amerikanische und sowjetische Truppen an der Elbe "
            "aufeinander. Eine Patrouille der 69. US-Infanteriedivision unter "
            "Oberleutnant Albert Kotzebue setzte mit einem Boot von der Fähre in Strehla nach "
            "Lorenzkirch über und traf dort auf Oberstleutnant Alexander Gordejew, den "
            "Kommandeur des sowjetischen 175. Gardeschützenregiments. Die Zeitangaben reichen "
            "vom Morgen bis zwischen 12 und 13 Uhr. Gegen 13:30 Uhr folgte eine zweite "
            "Begegnung bei Kreinitz. Über den ersten Kontakt gehen die Berichte auseinander: "
            "Manche setzen ihn früher an, gegen 11:30 Uhr bei Leckwitz, mit einem einzelnen "
            "sowjetischen Reiter, vor einer Begegnung mit Leutnant Grigori Goloborodko gegen "
            "12:30 Uhr."
        ),
        "ru": (
            "25 апреля 1945 года американские и советские войска встретились на Эльбе. "
            "Патруль 69-й пехотной дивизии США под командованием первого лейтенанта Альберта "
            "Котцебу переправился на лодке через реку от паромной переправы в Штреле к "
            "Лоренцкирху и встретил там подполковника Александра Гордеева, командира 175-го "
            "гвардейского стрелкового полка. Время встречи в источниках указано по-разному — от "
            "утра до промежутка между 12:00 и 13:00. Около 13:30 у Крайница состоялась вторая "
            "встреча. О первом контакте свидетельства расходятся: по некоторым данным, он "
            "произошёл раньше, около 11:30 у Леквица, с одиночным советским всадником, а около "
            "12:30 последовала встреча с лейтенантом Григорием Голобородько."
        ),
        "sources": [1, 3, 4, 5, 34],
        # The English text of earlier demos, which called the meeting the first without
        # saying that accounts differ.
        "replaces": [
            "On 25 April 1945 American and Soviet troops met on the Elbe for the first time. A "
            "patrol of the US 69th Infantry Division under 1st Lt Albert Kotzebue crossed the "
            "river by boat from the Strehla ferry to Lorenzkirch and met Lt Col Alexander "
            "Gordeyev, commander of the Soviet 175th Guards Rifle Regiment. Accounts of the time "
            "vary from the morning to between 12:00 and 13:00. A second meeting followed at "
            "Kreinitz at about 13:30."
        ],
    },
    {
        "en": (
            "The same afternoon, at about 15:30 or 16:00 depending on the account, 2nd Lt "
            "William D. Robertson and three comrades met Lt Alexander Silvashko of the 173rd "
            "Guards Rifle Regiment on the wrecked Elbe bridge at Torgau. The town had been taken "
            "without a fight: the last German troops had blown up the bridges and left that "
            "morning. On 26 April the division commanders met in Torgau, and the famous "
            "handshake on the broken bridge was staged again for the press."
        ),
        "de": (
            "Am Nachmittag desselben Tages – je nach Bericht gegen 15:30 oder 16:00 Uhr – "
            "trafen Leutnant William D. Robertson und drei Kameraden auf der zerstörten "
            "Elbbrücke in Torgau Leutnant Alexander Silwaschko vom 173. Gardeschützenregiment. "
            "Die Stadt war kampflos eingenommen worden; die letzten deutschen Truppen hatten am "
            "Morgen die Brücken gesprengt und waren abgezogen. Am 26. April trafen sich die "
            "Divisionskommandeure in Torgau, und der berühmte Händedruck auf der zerstörten "
            "Brücke wurde für die Presse nachgestellt."
        ),
        "ru": (
            "Во второй половине того же дня — около 15:30 или 16:00, по разным данным, — второй "
            "лейтенант Уильям Д. Робертсон и трое его товарищей встретились на разрушенном "
            "мосту через Эльбу в Торгау с лейтенантом Александром Сильвашко из 173-го "
            "гвардейского стрелкового полка. Город был занят без боя: утром последние немецкие "
            "части взорвали мосты и ушли. 26 апреля в Торгау встретились командиры дивизий, и "
            "для прессы было заново разыграно знаменитое рукопожатие на разрушенном мосту."
        ),
        "sources": [1, 2, 4, 5, 6, 7, 8, 9, 37, 57],
    },
    {
        "en": (
            "On 27 April the link-up was announced at the same time in Washington, London and "
            "Moscow. Moscow celebrated it with a salute of 24 salvoes from 324 guns."
        ),
        "de": (
            "Am 27. April wurde das Zusammentreffen gleichzeitig in Washington, London und "
            "Moskau bekanntgegeben. Moskau feierte es mit einem Salut von 24 Salven aus "
            "324 Geschützen."
        ),
        "ru": (
            "27 апреля о встрече одновременно объявили в Вашингтоне, Лондоне и Москве. Москва "
            "салютовала 24 залпами из 324 орудий."
        ),
        "sources": [1, 2],
    },
    {
        "en": (
            "Torgau remembers the meeting every 25 April. Wreaths are laid and speeches given at "
            "the Denkmal der Begegnung, the town hall holds a reception, and the peace oath is "
            "read at the balustrade of the bridge. A festival weekend by the river brings jazz "
            "and swing, a lantern parade, illuminated boats on the Elbe and fireworks."
        ),
        "de": (
            "Torgau erinnert jedes Jahr am 25. April an die Begegnung. Am Denkmal der Begegnung "
            "werden Kränze niedergelegt und Reden gehalten, im Rathaus gibt es einen Empfang, "
            "und an der Brückenbalustrade wird der Friedensschwur verlesen. Dazu kommt ein "
            "Festwochenende am Fluss mit Jazz und Swing, einem Lampionumzug, beleuchteten "
            "Booten auf der Elbe und einem Feuerwerk."
        ),
        "ru": (
            "Торгау ежегодно отмечает 25 апреля. У Памятника встрече возлагают венки и "
            "произносят речи, в ратуше проходит приём, а у балюстрады моста зачитывают клятву "
            "мира. На берегу реки проходят праздничные выходные с джазом и свингом, шествием с "
            "фонариками, иллюминированными лодками на Эльбе и фейерверком."
        ),
        "sources": [29, 33],
    },
]


# Series and trails. A trail's distances are computed from its sites' coordinates.
SERIES = [
    {
        "slug": "elbe-day-1945",
        "name": {"en": "Elbe Day 1945", "de": "Elbe Day 1945", "ru": "Встреча на Эльбе 1945"},
        "description": {
            "en": (
                "Memorials to the meeting of American and Soviet troops on the Elbe on "
                "25 April 1945, at the river and far from it."
            ),
            "de": (
                "Gedenkorte der Begegnung amerikanischer und sowjetischer Truppen an der Elbe "
                "am 25. April 1945, am Fluss und fern von ihm."
            ),
            "ru": (
                "Памятные места встречи американских и советских войск на Эльбе "
                "25 апреля 1945 года, у реки и вдали от неё."
            ),
        },
        "sites": [site["slug"] for site in SITES],
    },
]

TRAILS = [
    {
        "slug": "strehla-torgau",
        "kind": "driving",
        "name": {
            "en": "From Strehla to Torgau",
            "de": "Von Strehla nach Torgau",
            "ru": "От Штрелы до Торгау",
        },
        "description": {
            "en": (
                "From the old ferry at Strehla, where a patrol of the US 69th Infantry "
                "Division crossed the Elbe by boat to Lorenzkirch on 25 April 1945 and met "
                "Soviet troops, downriver to Torgau, where American and Soviet soldiers met "
                "on the wrecked Elbe bridge that afternoon."
            ),
            "de": (
                "Von der alten Fähre in Strehla, wo eine Patrouille der 69. US-"
                "Infanteriedivision am 25. April 1945 mit dem Boot nach Lorenzkirch übersetzte "
                "und auf sowjetische Truppen traf, elbabwärts nach Torgau, wo sich "
                "amerikanische und sowjetische Soldaten am Nachmittag desselben Tages auf der "
                "zerstörten Elbbrücke begegneten."
            ),
            "ru": (
                "От старой переправы в Штреле, откуда патруль 69-й пехотной дивизии США "
                "25 апреля 1945 года переправился на лодке через Эльбу в Лоренцкирх и "
                "встретил советские войска, вниз по Эльбе до Торгау, где во второй половине "
                "того же дня американские и советские солдаты встретились на разрушенном "
                "мосту через Эльбу."
            ),
        },
        "stops": [
            "relief-denkmal-der-begegnung-strehla",
            "gedenkstein-lorenzkirch",
            "denkmal-der-begegnung-torgau",
            "fahnenmasten-spirit-of-the-elbe-torgau",
            "grab-joseph-polowsky-torgau",
        ],
    },
]
