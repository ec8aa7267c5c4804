"""The rules for how a post is written: "unit + post" for display, and the post after a rank promotion.

`unit_post` is the one display rule for "unit + post" (工作单位及职务): API, pages, every PDF.

A post is often recorded with its unit already in it ("宦溪街道党工委书记" at 宦溪街道); putting the
unit in front again would read "宦溪街道宦溪街道党工委书记". So the unit is prefixed only when the
post does not already name it.
"""

from schemas.labels import RANK


def unit_post(unit: str | None, post: str | None) -> str:
    """`unit + post`, without the unit when the post already contains it (or one of them is empty)."""
    u = (unit or "").strip()
    p = (post or "").strip()
    if not u or u in p:
        return p
    if not p or p in u:
        return u
    return u + p


def _without_rank_suffix(post: str) -> str:
    """The post without a trailing `（<rank>）` an earlier rank promotion wrote into it."""
    for text in RANK.values():
        suffix = f"（{text}）"
        if post.endswith(suffix):
            return post[: -len(suffix)].strip()
    return post


def rank_promoted_post(post: str, new_rank: str) -> tuple[str, str]:
    """(the cadre's post, the new resume line's post) after a rank promotion to `new_rank`.

    A resume shows one rank per line, the current one: a post that is itself a rank title
    (三级主任科员) becomes the new rank's title, a rank named inside the post is replaced, and a
    leadership post (局长) gets the new rank in brackets on the resume line only.
    """
    new = RANK[new_rank]
    base = _without_rank_suffix(post.strip())
    for text in sorted(RANK.values(), key=len, reverse=True):
        if text in base:
            replaced = base.replace(text, new)
            return replaced, replaced
    return base, f"{base}（{new}）"
