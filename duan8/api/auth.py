from ninja.security import HttpBearer

from duan8.accounts.models import ApiToken
from duan8.core import audit


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; the token's user acts for the whole request.

    A revoked or expired token, or one of a deactivated account, is refused like an unknown
    one (401, ``{"detail": …}``): ``ApiToken.authenticate`` finds only active tokens.
    """

    def authenticate(self, request, token: str):
        user = ApiToken.authenticate(token)
        if user is None:
            return None
        request.user = user
        audit.current().user = user
        return user
