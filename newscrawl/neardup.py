"""Near-duplicate text detection: MinHash of character 3-grams (datasketch's, in numpy), LSH bands looked up in the database.

Why MinHash and not SimHash: on tests/fixtures/neardup/pairs.jsonl the Hamming distance of 64-bit
SimHashes of near-duplicates ranged 1–21 bits against 22+ for distinct stories, so a working
threshold (~14 bits) is far beyond what a banded SimHash index can look up exactly (it finds distance
≤ bands - 1). The Jaccard similarity of 3-gram sets separates the same pairs widely (near-duplicates
≥ 0.51, distinct ≤ 0.13), and MinHash LSH turns it into exact equality lookups (bench/bench_neardup.py).

Lookup: the signature's ``BANDS`` bands of ``ROWS`` values are hashed to one 63-bit key each and stored
in ``lsh_bands``; texts with Jaccard similarity J share at least one key with probability
``1 - (1 - J**ROWS)**BANDS``; candidates are then confirmed by their estimated similarity. A bucket keeps
the first ``BUCKET_CAP`` articles of each portal, so a lookup reads a bounded number of rows.
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
import zlib

import functools

import numpy as np

SHINGLE = 3  # characters per shingle (Chinese has no spaces: character n-grams, not words)
NUM_PERM = 128
BANDS, ROWS = 32, 4  # datasketch's optimum for threshold 0.35-0.4 at 128 permutations
THRESHOLD = 0.4  # estimated Jaccard similarity at or above which two texts are near-duplicates
MIN_CHARS = 60  # shorter texts (captions, stubs) are too short to judge
# Text read for a signature: what a body capped at NEWSCRAWL_MAX_BODY_CHARS's default holds (a longer text costs no more).
MAX_CHARS = 300_000
# Articles of one portal indexed per LSH bucket: similar texts (templates, notices) would otherwise put
# every stored article in the same buckets and make each lookup read them all (docs/SCHEMA.md).
BUCKET_CAP = 5
SEED = 1

_NOT_TEXT = re.compile(r"[\s\W_]+")
# datasketch 2's "affine32" MinHash, computed here with numpy (bench/bench_neardup.py and tests/test_neardup.py
# check the signatures are byte for byte datasketch's, so stored ones stay comparable): a shingle's hash is the
# crc32 of its UTF-8 bytes, pre-mixed with MurmurHash3's 32-bit finalizer, then permuted by h -> a*h + b mod 2^32.
_FMIX = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


@functools.cache
def permutations() -> tuple[np.ndarray, np.ndarray]:
    """The ``a`` (odd) and ``b`` of the NUM_PERM permutations, as datasketch draws them for SEED."""
    generator = np.random.RandomState(SEED)
    a = generator.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def normalize(text: str) -> str:
    """Width, case, whitespace and punctuation folded away, as for content_hash.

    >>> normalize("华为云 发布，Ｐａｎｇｕ 3.0！")
    '华为云发布pangu30'
    """
    return _NOT_TEXT.sub("", unicodedata.normalize("NFKC", text or "").lower())


def shingles(text: str) -> set[str]:
    normal = normalize(text)
    return {normal[i : i + SHINGLE] for i in range(len(normal) - SHINGLE + 1)}


def signature(text: str | None) -> bytes | None:
    """The MinHash signature (NUM_PERM 32-bit values, 512 bytes), or None for a text too short to judge.

    >>> a = signature("工信部近日发布通知，要求各地加快推进新型基础设施建设，" * 5)
    >>> a == signature("工信部近日发布通知 要求各地加快推进新型基础设施建设。" * 5), len(a)
    (True, 512)
    """
    normal = normalize((text or "")[:MAX_CHARS])
    if len(normal) < MIN_CHARS:
        return None
    # Every shingle's crc32 (a C call), repeats included: a repeated shingle does not change a minimum, and
    # hashing it again is cheaper than building the set of shingle strings first.
    count = len(normal) - SHINGLE + 1
    crc32 = zlib.crc32
    hashes = np.fromiter((crc32(normal[i : i + SHINGLE].encode()) for i in range(count)), dtype=np.uint32, count=count)
    s1, m1, s2, m2, s3 = _FMIX
    hashes ^= hashes >> s1
    hashes *= m1
    hashes ^= hashes >> s2
    hashes *= m2
    hashes ^= hashes >> s3
    a, b = permutations()
    return (hashes[:, None] * a + b).min(axis=0).astype("<u4").tobytes()


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.mean(np.frombuffer(a, dtype="<u4") == np.frombuffer(b, dtype="<u4")))


@functools.lru_cache(maxsize=4096)  # the store asks for a new article's bands several times
def bands(sig: bytes) -> list[tuple[int, int]]:
    """``(band, key)`` pairs stored in ``lsh_bands``; keys are signed 63-bit so any BIGINT holds them."""
    width = ROWS * 4
    keys = []
    for band in range(BANDS):
        digest = hashlib.blake2b(sig[band * width : (band + 1) * width], digest_size=8).digest()
        keys.append((band, struct.unpack("<q", digest)[0] >> 1))
    return keys
