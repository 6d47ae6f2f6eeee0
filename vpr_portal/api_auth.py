"""A token for scripts: POST username and password to /api/auth/token/ (counted by axes).

Administrators can also issue and revoke tokens in admin («Токены»). Scripts then send
`Authorization: Token <key>`.
"""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny

from vpr_portal.login_security import PortalAuthTokenSerializer


class ObtainTokenView(ObtainAuthToken):
    serializer_class = PortalAuthTokenSerializer
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=PortalAuthTokenSerializer,
        responses={200: inline_serializer("Token", {"token": serializers.CharField()})},
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
