from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Page(models.Model):
    """A page staff write in the admin, such as the privacy notice or the imprint."""

    slug = models.SlugField(_("address"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Plain text; blank lines start paragraphs."))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("page")
        verbose_name_plural = _("pages")
        ordering = ["slug"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("page", kwargs={"slug": self.slug})
