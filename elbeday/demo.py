"""The privacy notice and imprint of the demo installation, which say what the software
stores; an organisation running the site replaces them with its own in the admin."""

from .models import Page

PAGES = {
    "privacy": {
        "title": ("Privacy notice", "Datenschutzhinweis", "Уведомление о конфиденциальности"),
        "body": (
            "This is the privacy notice of a demonstration installation of Elbe Day. An "
            "organisation running the site replaces it with its own notice.\n\n"
            "When you register for a ceremony we store your name, email address, the size "
            "of your party and your guests' names, your country and language if you give "
            "them, the accessibility needs you tell us about, and whether you would like to "
            "hear about future ceremonies. We use them only to run the ceremony: to keep "
            "your seats, to send you your ticket and news about the ceremony, and to "
            "prepare for your needs.\n\n"
            "The link in your confirmation email shows your booking. With it you can "
            "change or cancel it, download everything stored about it, and delete your "
            "data at any time.\n\n"
            "When you propose a correction to a memorial site or send a photo of one, we "
            "store what you send, your email address and the name you give for the credit. "
            "Nothing is published before an editor has reviewed it, and a photo waiting for "
            "review is not public. We email you the decision, and delete your email address "
            "and name 180 days after it.\n\n"
            "When you press \u201cUse my location\u201d, your browser sends your position to "
            "this site alone, to find the nearest memorial sites; it is neither stored nor "
            "logged.",
            "Dies ist der Datenschutzhinweis einer Demo-Installation von Elbe Day. Eine "
            "Organisation, die die Website betreibt, ersetzt ihn durch ihren eigenen.\n\n"
            "Wenn Sie sich für eine Gedenkfeier anmelden, speichern wir Ihren Namen, Ihre "
            "E-Mail-Adresse, die Größe Ihrer Gruppe und die Namen Ihrer Gäste, Ihr Land und "
            "Ihre Sprache, wenn Sie sie angeben, die Bedürfnisse, die Sie uns nennen, und "
            "ob Sie über künftige Gedenkfeiern informiert werden möchten. Wir verwenden "
            "diese Angaben nur für die Durchführung der Gedenkfeier: um Ihre Plätze "
            "freizuhalten, Ihnen Ihr Ticket und Neuigkeiten zur Feier zu senden und uns auf "
            "Ihre Bedürfnisse vorzubereiten.\n\n"
            "Über den Link in Ihrer Bestätigungs-E-Mail sehen Sie Ihre Buchung. Damit "
            "können Sie sie ändern oder stornieren, alle dazu gespeicherten Daten "
            "herunterladen und Ihre Daten jederzeit löschen.\n\n"
            "Wenn Sie eine Korrektur zu einem Gedenkort vorschlagen oder ein Foto senden, "
            "speichern wir, was Sie senden, Ihre E-Mail-Adresse und den Namen, den Sie für "
            "die Namensnennung angeben. Nichts wird veröffentlicht, bevor die Redaktion es "
            "geprüft hat, und ein Foto, das auf die Prüfung wartet, ist nicht öffentlich. "
            "Wir teilen Ihnen die Entscheidung per E-Mail mit und löschen Ihre "
            "E-Mail-Adresse und Ihren Namen 180 Tage danach.\n\n"
            "Wenn Sie \u201eMeinen Standort verwenden\u201c wählen, sendet Ihr Browser Ihren "
            "Standort nur an diese Website, um die nächstgelegenen Gedenkorte zu finden; er "
            "wird weder gespeichert noch protokolliert.",
            "Это уведомление о конфиденциальности демонстрационной версии Elbe Day. "
            "Организация, которая использует сайт, заменяет его своим.\n\n"
            "При регистрации на церемонию мы сохраняем ваше имя, адрес электронной почты, "
            "число участников и имена ваших гостей, вашу страну и язык, если вы их "
            "указали, особые потребности, о которых вы нам сообщили, и ваше согласие на "
            "информацию о будущих церемониях. Мы используем эти данные только для "
            "проведения церемонии: чтобы сохранить за вами места, отправить вам билет и "
            "новости о церемонии и подготовиться к вашим потребностям.\n\n"
            "По ссылке из письма с подтверждением вы можете посмотреть, изменить или "
            "отменить бронирование, скачать все сохранённые о нём данные и в любой момент "
            "удалить свои данные.\n\n"
            "Если вы предлагаете исправление к памятному месту или присылаете его "
            "фотографию, мы сохраняем присланное, ваш адрес электронной почты и имя, "
            "которое вы указали для указания авторства. Ничего не публикуется до проверки "
            "редакторами, а фотография, ожидающая проверки, не доступна публично. Мы "
            "сообщим вам решение по электронной почте и удалим ваш адрес и имя через 180 "
            "дней после него.\n\n"
            "Когда вы нажимаете \u00abИспользовать моё местоположение\u00bb, браузер "
            "отправляет ваше местоположение только этому сайту, чтобы найти ближайшие "
            "памятные места; оно не сохраняется и не записывается в журналы.",
        ),
    },
    "imprint": {
        "title": ("Imprint", "Impressum", "Выходные данные"),
        "body": (
            "This is a demonstration installation of Elbe Day, open-source software for "
            "memorial sites and commemorations. An organisation running the site gives its "
            "name, address and contact here.",
            "Dies ist eine Demo-Installation von Elbe Day, Open-Source-Software für "
            "Gedenkorte und Gedenkfeiern. Eine Organisation, die die Website betreibt, nennt "
            "hier ihren Namen, ihre Anschrift und ihre Kontaktdaten.",
            "Это демонстрационная версия Elbe Day — свободного программного обеспечения "
            "для памятных мест и церемоний. Организация, которая использует сайт, "
            "указывает здесь своё название, адрес и контакты.",
        ),
    },
}


def load_pages():
    created = 0
    for slug, data in PAGES.items():
        fields = {
            f"{name}_{lang}": text
            for name in ("title", "body")
            for lang, text in zip(("en", "de", "ru"), data[name], strict=True)
        }
        _page, was_created = Page.objects.get_or_create(slug=slug, defaults=fields)
        created += was_created
    return created
