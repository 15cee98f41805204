"""The RouterOS API wire format: words, sentences and their length prefixes.

A word is a length followed by that many bytes; a sentence is words ended by
an empty word (a single zero byte). The length uses one of five encodings,
chosen by the value (RouterOS API manual, "Protocol"):

=========================  ====================================  =====
length                     first byte(s)                         bytes
=========================  ====================================  =====
0 … 0x7F                   ``0xxxxxxx``                          1
0x80 … 0x3FFF              ``10xxxxxx`` + 1 byte, OR 0x8000      2
0x4000 … 0x1FFFFF          ``110xxxxx`` + 2 bytes, OR 0xC00000   3
0x200000 … 0xFFFFFFF       ``1110xxxx`` + 3 bytes, OR 0xE0000000 4
0x10000000 … 0xFFFFFFFF    ``0xF0`` + 4 bytes                    5
=========================  ====================================  =====

First bytes ``0xF8`` to ``0xFF`` are reserved control bytes and are a protocol
error here, as on a router.
"""

from __future__ import annotations

import asyncio

ENCODING = "utf-8"
MAX_WORD = 0xFFFFFFFF


class WireError(Exception):
    """Bytes that are not a valid RouterOS API sentence."""


def encode_length(length: int) -> bytes:
    if length < 0:
        raise ValueError("negative length")
    if length < 0x80:
        return bytes((length,))
    if length < 0x4000:
        return (length | 0x8000).to_bytes(2, "big")
    if length < 0x200000:
        return (length | 0xC00000).to_bytes(3, "big")
    if length < 0x10000000:
        return (length | 0xE0000000).to_bytes(4, "big")
    if length <= MAX_WORD:
        return b"\xf0" + length.to_bytes(4, "big")
    raise ValueError(f"a word of {length} bytes cannot be encoded")


def length_size(first: int) -> int:
    """How many bytes the length takes, given its first byte."""
    if first < 0x80:
        return 1
    if first < 0xC0:
        return 2
    if first < 0xE0:
        return 3
    if first < 0xF0:
        return 4
    if first == 0xF0:
        return 5
    raise WireError(f"reserved control byte 0x{first:02x}")


def decode_length(data: bytes) -> int:
    first = data[0]
    size = length_size(first)
    if len(data) != size:
        raise WireError("length prefix of the wrong size")
    if size == 1:
        return first
    if size == 2:
        return int.from_bytes(data, "big") & 0x3FFF
    if size == 3:
        return int.from_bytes(data, "big") & 0x1FFFFF
    if size == 4:
        return int.from_bytes(data, "big") & 0xFFFFFFF
    return int.from_bytes(data[1:], "big")


def encode_word(word: str | bytes) -> bytes:
    raw = word.encode(ENCODING) if isinstance(word, str) else word
    return encode_length(len(raw)) + raw


def encode_sentence(words) -> bytes:
    return b"".join(encode_word(word) for word in words) + b"\x00"


async def read_word(reader: asyncio.StreamReader, *, max_length: int) -> bytes:
    first = await reader.readexactly(1)
    size = length_size(first[0])
    prefix = first + (await reader.readexactly(size - 1) if size > 1 else b"")
    length = decode_length(prefix)
    if length > max_length:
        raise WireError(f"word of {length} bytes is longer than allowed")
    return await reader.readexactly(length) if length else b""


async def read_sentence(
    reader: asyncio.StreamReader, *, max_length: int = 1 << 20, max_words: int = 10_000
) -> list[str]:
    """Read words until the empty word. Raises IncompleteReadError at EOF."""
    words: list[str] = []
    while True:
        raw = await read_word(reader, max_length=max_length)
        if not raw:
            return words
        if len(words) >= max_words:
            raise WireError("too many words in one sentence")
        try:
            words.append(raw.decode(ENCODING))
        except UnicodeDecodeError as error:
            raise WireError("word is not valid UTF-8") from error


def split_attribute(word: str) -> tuple[str, str]:
    """``=name=value`` → ``("name", "value")``; the value may contain ``=``."""
    if not word.startswith("=") or "=" not in word[1:]:
        raise WireError(f"not an attribute word: {word[:40]!r}")
    name, _, value = word[1:].partition("=")
    return name, value
