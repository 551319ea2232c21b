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
            "data at any time.",
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
            "herunterladen und Ihre Daten jederzeit löschen.",
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
            "удалить свои данные.",
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
