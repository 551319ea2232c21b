from django.db.models import QuerySet
from django.utils.translation import get_language
from modeltranslation.translator import TranslationOptions, register, translator
from modeltranslation.utils import resolution_order

from .models import Page


@register(Page)
class PageTranslationOptions(TranslationOptions):
    fields = ("title", "body")
    required_languages = {"en": ("title", "body")}


def in_visitor_language(queryset, *related):
    """`queryset` without the columns of translated fields that a page in the active
    language never reads: the other languages', and the untranslated originals (a
    translated field reads the active language's column, then English's). Also for the
    models of `related`, the `select_related` paths of the query.

    A model has a column per language for every translated field; loading them all made a
    ceremony's query name 369 columns, most of them never shown."""
    keep = set(resolution_order(get_language()))
    deferred = []
    models = [(queryset.model, "")]
    for path in related:
        model = queryset.model
        for name in path.split("__"):
            model = model._meta.get_field(name).related_model
        models.append((model, f"{path}__"))
    for model, prefix in models:
        for name, columns in translator.get_options_for_model(model).all_fields.items():
            deferred.append(prefix + name)
            deferred += [prefix + column.name for column in columns if column.language not in keep]
    # Django's defer: modeltranslation's takes an original's name for all its columns.
    return QuerySet.defer(queryset, *deferred)
