#!/usr/bin/env python3
"""tiny-gguf: write a tiny llama-architecture model in GGUF v3 for tests.

    python3 tools/tiny-gguf.py OUT.gguf [--seed N]

The model is a real llama graph (token embedding, 2 blocks of RMSNorm +
grouped-query attention with RoPE + SwiGLU feed-forward, output norm and
head) with small dimensions and seeded random float32 weights, plus a
SentencePiece-style ("llama") vocabulary: <unk>, <s>, </s>, the 256 byte
tokens SentencePiece falls back to, and some 760 word pieces. llama.cpp
loads it and generates tokens from it; the text is noise, which is all a
test of the serving path needs. About 850 KB, written in well under a second.

The GGUF container is written here with the standard library only: llama.cpp's
own gguf-py needs numpy >= 2.2 and other packages that Debian 12 does not ship
at those versions. Layout (GGUF v3, little-endian): magic, version, tensor and
key/value counts; the key/value metadata; one info record per tensor (name,
dims innermost first, type, offset into the data section); padding to
general.alignment; the tensor data, each tensor aligned likewise.
"""
import argparse
import array
import os
import random
import struct
import sys

ALIGN = 32

# GGUF metadata value types
T_UINT32, T_INT32, T_FLOAT32, T_BOOL, T_STRING, T_ARRAY = 4, 5, 6, 7, 8, 9
GGML_TYPE_F32 = 0

# llama.cpp token types (llama_token_type)
TOK_NORMAL, TOK_UNKNOWN, TOK_CONTROL, TOK_BYTE = 1, 2, 3, 6

# Model shape: small enough to run in milliseconds per token under emulation,
# large enough to be a real multi-head, grouped-query model.
N_EMBD = 64
N_HEAD = 4
N_HEAD_KV = 2
HEAD_DIM = N_EMBD // N_HEAD
N_FF = 128
N_LAYER = 2
N_CTX = 512

WORDS = """the a an of to and in is it that for on with as was he she they we you
this be at by not are from or have had but one all were when there can what
your which their said if will each about how up out them then many some so
these would other into has more her two like him see time could no make than
first been its who now people my made over did down only way find use may
water long little very after words called just where most know get through
back much go good new write our me man too any day same right look think
also around another came come work three word must because does part even
place well such here take why things help put years different away again
off went old number great tell men say small every found still between name
should home big give air line set own under read last never us left end
along while might next sound below saw something thought both few those
always looked show large often together asked house world going want school
important until form food keep children feet land side without boy once
animals life enough took sometimes four head above kind began almost live
page got earth need far hand high year mother light parts country father let
night following picture being study second eyes soon times story boys since
white days ever paper hard near sentence better best across during today
others however sure means knew try told young miles sun ways thing whole
hear example heard several change answer room sea against top turned learn
point city play toward five using himself usually""".split()


def gguf_str(s):
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def kv(key, vtype, value):
    out = gguf_str(key) + struct.pack("<I", vtype)
    if vtype == T_UINT32:
        return out + struct.pack("<I", value)
    if vtype == T_INT32:
        return out + struct.pack("<i", value)
    if vtype == T_FLOAT32:
        return out + struct.pack("<f", value)
    if vtype == T_BOOL:
        return out + struct.pack("<?", value)
    if vtype == T_STRING:
        return out + gguf_str(value)
    raise ValueError(vtype)


def kv_array(key, etype, values):
    out = gguf_str(key) + struct.pack("<IIQ", T_ARRAY, etype, len(values))
    if etype == T_STRING:
        return out + b"".join(gguf_str(v) for v in values)
    if etype == T_FLOAT32:
        return out + array_bytes("f", values)
    if etype == T_INT32:
        return out + array_bytes("i", values)
    raise ValueError(etype)


def array_bytes(code, values):
    a = array.array(code, values)
    if sys.byteorder != "little":
        a.byteswap()
    return a.tobytes()


def vocabulary():
    """Pieces, scores and types of a SentencePiece-style vocabulary."""
    tokens = ["<unk>", "<s>", "</s>"]
    types = [TOK_UNKNOWN, TOK_CONTROL, TOK_CONTROL]
    tokens += ["<0x%02X>" % b for b in range(256)]
    types += [TOK_BYTE] * 256
    # word pieces: "▁word" (a word after a space) with every prefix of it, the
    # path SentencePiece's pairwise merges take from letters to the word; lone
    # letters and "▁" so that lower-case text needs no byte fallback
    pieces = ["\u2581"] + [chr(c) for c in range(ord("a"), ord("z") + 1)]
    seen = set(pieces)
    for w in WORDS:
        for k in range(1, len(w) + 1):
            p = "\u2581" + w[:k]
            if p not in seen:
                seen.add(p)
                pieces.append(p)
    tokens += pieces
    types += [TOK_NORMAL] * len(pieces)
    # SentencePiece merges the highest-scoring pieces first: longer is better
    scores = [0.0] * 259 + [float(len(p)) - 100.0 for p in pieces]
    return tokens, scores, types


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", help="the .gguf file to write")
    ap.add_argument("--seed", type=int, default=1, help="weights' random seed (default 1)")
    args = ap.parse_args()

    tokens, scores, types = vocabulary()
    n_vocab = len(tokens)
    rng = random.Random(args.seed)

    def rand(n, scale):
        return [rng.uniform(-scale, scale) for _ in range(n)]

    # (name, dims innermost first, float32 values); matrices are stored as
    # ggml expects them: ne0 = input width, ne1 = output width
    tensors = [("token_embd.weight", [N_EMBD, n_vocab], rand(N_EMBD * n_vocab, 1.0))]
    kv_width = HEAD_DIM * N_HEAD_KV
    for i in range(N_LAYER):
        p = "blk.%d." % i
        tensors += [
            (p + "attn_norm.weight", [N_EMBD], [1.0] * N_EMBD),
            (p + "attn_q.weight", [N_EMBD, N_EMBD], rand(N_EMBD * N_EMBD, 0.2)),
            (p + "attn_k.weight", [N_EMBD, kv_width], rand(N_EMBD * kv_width, 0.2)),
            (p + "attn_v.weight", [N_EMBD, kv_width], rand(N_EMBD * kv_width, 0.2)),
            (p + "attn_output.weight", [N_EMBD, N_EMBD], rand(N_EMBD * N_EMBD, 0.2)),
            (p + "ffn_norm.weight", [N_EMBD], [1.0] * N_EMBD),
            (p + "ffn_gate.weight", [N_EMBD, N_FF], rand(N_EMBD * N_FF, 0.2)),
            (p + "ffn_up.weight", [N_EMBD, N_FF], rand(N_EMBD * N_FF, 0.2)),
            (p + "ffn_down.weight", [N_FF, N_EMBD], rand(N_FF * N_EMBD, 0.2)),
        ]
    tensors += [
        ("output_norm.weight", [N_EMBD], [1.0] * N_EMBD),
        ("output.weight", [N_EMBD, n_vocab], rand(N_EMBD * n_vocab, 1.0)),
    ]

    meta = [
        kv("general.architecture", T_STRING, "llama"),
        kv("general.name", T_STRING, "svd tiny test model"),
        kv("general.alignment", T_UINT32, ALIGN),
        kv("general.file_type", T_UINT32, 0),  # all F32
        kv("llama.context_length", T_UINT32, N_CTX),
        kv("llama.embedding_length", T_UINT32, N_EMBD),
        kv("llama.block_count", T_UINT32, N_LAYER),
        kv("llama.feed_forward_length", T_UINT32, N_FF),
        kv("llama.attention.head_count", T_UINT32, N_HEAD),
        kv("llama.attention.head_count_kv", T_UINT32, N_HEAD_KV),
        kv("llama.rope.dimension_count", T_UINT32, HEAD_DIM),
        kv("llama.rope.freq_base", T_FLOAT32, 10000.0),
        kv("llama.attention.layer_norm_rms_epsilon", T_FLOAT32, 1e-5),
        kv("llama.vocab_size", T_UINT32, n_vocab),
        kv("tokenizer.ggml.model", T_STRING, "llama"),
        kv_array("tokenizer.ggml.tokens", T_STRING, tokens),
        kv_array("tokenizer.ggml.scores", T_FLOAT32, scores),
        kv_array("tokenizer.ggml.token_type", T_INT32, types),
        kv("tokenizer.ggml.unknown_token_id", T_UINT32, 0),
        kv("tokenizer.ggml.bos_token_id", T_UINT32, 1),
        kv("tokenizer.ggml.eos_token_id", T_UINT32, 2),
        kv("tokenizer.ggml.add_bos_token", T_BOOL, True),
        kv("tokenizer.ggml.add_eos_token", T_BOOL, False),
    ]

    def pad(n):
        return (ALIGN - n % ALIGN) % ALIGN

    infos = []
    offset = 0
    for name, dims, values in tensors:
        count = 1
        for d in dims:
            count *= d
        assert count == len(values), name
        infos.append(gguf_str(name) + struct.pack("<I", len(dims))
                     + b"".join(struct.pack("<Q", d) for d in dims)
                     + struct.pack("<IQ", GGML_TYPE_F32, offset))
        offset += 4 * count
        offset += pad(offset)

    head = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(meta))
    head += b"".join(meta) + b"".join(infos)
    head += b"\0" * pad(len(head))

    tmp = args.out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(head)
        for _, _, values in tensors:
            data = array_bytes("f", values)
            f.write(data + b"\0" * pad(len(data)))
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, args.out)
    print("%s: llama, %d layers, n_embd %d, %d tokens, %d bytes"
          % (args.out, N_LAYER, N_EMBD, n_vocab, os.path.getsize(args.out)))


if __name__ == "__main__":
    main()
