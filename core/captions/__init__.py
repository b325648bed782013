"""Captions: the pipeline Caption Studio calls (``service``), styles, images made ready for a
provider (``images``; validation and encoding live in ``core.images``), the providers behind one
protocol (``providers``) and the offline vision models (``vision``)."""
