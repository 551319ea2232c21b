from modeltranslation.translator import TranslationOptions, register

from .models import HistoryNote, MemorialSite, Photo, Series, SiteDate, Source, Trail


@register(MemorialSite)
class MemorialSiteTranslationOptions(TranslationOptions):
    fields = (
        "name",
        "summary",
        "history",
        "inscription_language",
        "inscription_translation",
        "inscription_note",
        "town",
        "creator",
        "dedicated_by",
        "visiting_info",
        "accessibility_notes",
        "moved_to",
    )
    required_languages = {"en": ("name", "summary", "town")}


@register(SiteDate)
class SiteDateTranslationOptions(TranslationOptions):
    fields = ("note",)


@register(Source)
class SourceTranslationOptions(TranslationOptions):
    fields = ("note",)


@register(Photo)
class PhotoTranslationOptions(TranslationOptions):
    fields = ("caption", "alt_text")
    required_languages = {"en": ("alt_text",)}


@register(HistoryNote)
class HistoryNoteTranslationOptions(TranslationOptions):
    fields = ("text",)
    required_languages = ("en",)


# Series and trails
@register(Series)
class SeriesTranslationOptions(TranslationOptions):
    fields = ("name", "description")
    required_languages = {"en": ("name",)}


@register(Trail)
class TrailTranslationOptions(TranslationOptions):
    fields = ("name", "description")
    required_languages = {"en": ("name",)}
