from django.views.generic import TemplateView

from memorials.models import HistoryNote, MemorialSite


class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        notes = list(HistoryNote.objects.filter(is_published=True).prefetch_related("sources"))
        context["notes"] = notes
        context["note_sources"] = list(
            {source.pk: source for note in notes for source in note.sources.all()}.values()
        )
        context["featured_sites"] = MemorialSite.objects.published().with_cover()[:6]
        return context
