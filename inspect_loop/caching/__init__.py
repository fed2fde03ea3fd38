"""Pages and answers served again until the data under them changes.

Every transaction that writes through the session raises one number, the data version
(``versions.py``), in the same transaction as its writes. A cached page is keyed by that version, the
local day, the user and the URL (``pages.py``), so a page is never served from before a write the reader
could see: the write that raised the version is committed before the reader read it. Entries live in
this process (``store.py``) or, when ``CACHE_REDIS_URL`` is set, in Redis, shared by every app machine.
"""
