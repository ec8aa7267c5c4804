"""The one display rule for "unit + post" (工作单位及职务), used by the API, the pages and every PDF.

A post is often recorded with its unit already in it ("宦溪街道党工委书记" at 宦溪街道); putting the
unit in front again would read "宦溪街道宦溪街道党工委书记". So the unit is prefixed only when the
post does not already name it.
"""


def unit_post(unit: str | None, post: str | None) -> str:
    """`unit + post`, without the unit when the post already contains it (or one of them is empty)."""
    u = (unit or "").strip()
    p = (post or "").strip()
    if not u or u in p:
        return p
    if not p or p in u:
        return u
    return u + p
