"""Accepting an invitation to the client portal (public: the secret is the credential)."""

urlpatterns = []
