from django.db import migrations, models

# PostgreSQL's full-text search (memorials.search.matching): a tsvector column per
# language, unknown to the models, filled by a trigger with what a visitor reading that
# language sees (the translation, else the English), weighted: name (A), town (B),
# summary and inscriptions (C), history (D); and a GIN index on each. Stored rather than
# an index on the expression, because ranking reads the vector of every site found, and
# computing it again took a third of a millisecond per site: seconds for a word that
# 10,000 sites contain.
#
# A later migration that renames or removes a column named here must replace the
# function (CREATE OR REPLACE) and fill the columns again, as create_search_columns does.
FUNCTION = """
CREATE OR REPLACE FUNCTION memorials_memorialsite_search() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_en := setweight(to_tsvector('english', COALESCE(NEW.name_en, '')), 'A')
        || setweight(to_tsvector('english', COALESCE(NEW.town_en, '')), 'B') ||
        setweight(to_tsvector('english', COALESCE(NEW.summary_en, '') || ' ' ||
        COALESCE(NEW.inscription, '') || ' ' || COALESCE(NEW.inscription_translation_en,
        '')), 'C') || setweight(to_tsvector('english', COALESCE(NEW.history_en, '')),
        'D');
    NEW.search_de := setweight(to_tsvector('german', COALESCE(NULLIF(NEW.name_de, ''),
        NEW.name_en, '')), 'A') || setweight(to_tsvector('german',
        COALESCE(NULLIF(NEW.town_de, ''), NEW.town_en, '')), 'B') ||
        setweight(to_tsvector('german', COALESCE(NULLIF(NEW.summary_de, ''),
        NEW.summary_en, '') || ' ' || COALESCE(NEW.inscription, '') || ' ' ||
        COALESCE(NULLIF(NEW.inscription_translation_de, ''),
        NEW.inscription_translation_en, '')), 'C') || setweight(to_tsvector('german',
        COALESCE(NULLIF(NEW.history_de, ''), NEW.history_en, '')), 'D');
    NEW.search_ru := setweight(to_tsvector('russian', COALESCE(NULLIF(NEW.name_ru, ''),
        NEW.name_en, '')), 'A') || setweight(to_tsvector('russian',
        COALESCE(NULLIF(NEW.town_ru, ''), NEW.town_en, '')), 'B') ||
        setweight(to_tsvector('russian', COALESCE(NULLIF(NEW.summary_ru, ''),
        NEW.summary_en, '') || ' ' || COALESCE(NEW.inscription, '') || ' ' ||
        COALESCE(NULLIF(NEW.inscription_translation_ru, ''),
        NEW.inscription_translation_en, '')), 'C') || setweight(to_tsvector('russian',
        COALESCE(NULLIF(NEW.history_ru, ''), NEW.history_en, '')), 'D');
    RETURN NEW;
END
$$
"""
LANGUAGES = ("en", "de", "ru")


def create_search_columns(apps, schema_editor):
    """SQLite's search index is made after every `migrate` instead
    (memorials.search.sqlite_search_index_ensure)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    for language in LANGUAGES:
        execute(f"ALTER TABLE memorials_memorialsite ADD COLUMN search_{language} tsvector")
    execute(FUNCTION)
    execute(
        "CREATE TRIGGER memorials_memorialsite_search BEFORE INSERT OR UPDATE "
        "ON memorials_memorialsite FOR EACH ROW EXECUTE FUNCTION memorials_memorialsite_search()"
    )
    # Every site through the trigger once.
    execute("UPDATE memorials_memorialsite SET id = id")
    for language in LANGUAGES:
        execute(
            f"CREATE INDEX memorial_search_{language} ON memorials_memorialsite "
            f"USING gin (search_{language})"
        )


def drop_search_columns(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    execute("DROP TRIGGER IF EXISTS memorials_memorialsite_search ON memorials_memorialsite")
    execute("DROP FUNCTION IF EXISTS memorials_memorialsite_search()")
    for language in LANGUAGES:
        execute(f"ALTER TABLE memorials_memorialsite DROP COLUMN IF EXISTS search_{language}")


class Migration(migrations.Migration):
    dependencies = [
        ("memorials", "0004_public_submissions"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="memorialsite",
            index=models.Index(
                fields=["latitude", "longitude", "is_published"], name="memorial_location"
            ),
        ),
        migrations.AddIndex(
            model_name="memorialsite",
            index=models.Index(fields=["town_en"], name="memorial_town_en"),
        ),
        migrations.AddIndex(
            model_name="memorialsite",
            index=models.Index(fields=["town_de"], name="memorial_town_de"),
        ),
        migrations.AddIndex(
            model_name="memorialsite",
            index=models.Index(fields=["town_ru"], name="memorial_town_ru"),
        ),
        migrations.AddIndex(
            model_name="memorialsite",
            index=models.Index(fields=["name_en"], name="memorial_name_en"),
        ),
        migrations.AddIndex(
            model_name="memorialsite",
            index=models.Index(fields=["name_de"], name="memorial_name_de"),
        ),
        migrations.AddIndex(
            model_name="memorialsite",
            index=models.Index(fields=["name_ru"], name="memorial_name_ru"),
        ),
        migrations.RunPython(create_search_columns, drop_search_columns, elidable=False),
    ]
