# The English pages keep the Vietnamese number and date conventions: the figures an officer
# reads in English must be the same figures, written the same way, as in the official documents.
from duan8.formats.vi.formats import *  # noqa: F403
