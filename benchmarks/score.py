"""Scorer throughput against an XLM-R-base classifier, on two corpora of 1,000 multilingual agent messages each.

The corpora (`benchmarks/corpora/`, made by `benchmarks/corpus.py`, see benchmarks/README.md): `realistic`, a help
desk's week (e-mails, chat, call turns; about 90 % fine) and `problem-heavy` (bare replies, most with a problem).
Runs the full scorer (language id, segmentation, every shipped detector whose files exist) with 2 threads on both,
records its peak RSS, then (same process, same messages) an XLM-R-base sequence classifier with random weights built
from a hand-written config (Detoxify multilingual's architecture) in torch with 2 threads, sorted batches of 32.
Prints messages/s, `ratio (CORPUS): N.Nx` per corpus and the scorer's peak RSS, and, for scale, the scorer's sentence
encoder alone (one pass per message, no other work).
Usage: PYTHONPATH=. python benchmarks/score.py [--n 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from collections.abc import Callable

THREADS = 2
os.environ.setdefault("OMP_NUM_THREADS", str(THREADS))

import corpus  # noqa: E402  (benchmarks/corpus.py, beside this script; imported after OMP_NUM_THREADS is set)


def cpu_seconds() -> float:
    """User + system CPU time of this process so far (all its threads)."""
    t = os.times()
    return t.user + t.system


def best_rates(run: Callable[[], object], n: int, repeat: int) -> tuple[float, float]:
    """Best messages/s and best messages per CPU-second over `repeat` calls of run(), each handling n messages."""
    best = per_cpu = 0.0
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), cpu_seconds()
        run()
        best = max(best, n / (time.perf_counter() - t0))
        per_cpu = max(per_cpu, n / (cpu_seconds() - c0))
    return best, per_cpu


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_scorer(corpora: dict[str, list[str]], repeat: int
                 ) -> tuple[dict[str, tuple[float, float, float | None]], str, float]:
    """Per corpus: the best messages/s of the full scorer over `repeat` runs, messages per CPU-second, and the best
    messages/s of its sentence encoder alone, one pass over each message (None without one); then the model version
    and the peak RSS after scoring them all."""
    from qa_monitor.config import Settings
    from qa_monitor.nlp.analysis import ScoreInput
    from qa_monitor.scoring.engine import Scorer

    scorer = Scorer.from_settings(Settings())
    scorer.load()
    # the bound any scorer on this encoder meets: one encoder pass per message and nothing else
    encoder = next((d.encoder for d in scorer.detectors if getattr(d, "encoder", None) is not None), None)
    out: dict[str, tuple[float, float, float | None]] = {}
    for name, texts in corpora.items():
        items = [ScoreInput(message_id=f"m{i}", text=t) for i, t in enumerate(texts)]
        scorer.score(items[:64])  # warm-up

        def score_all(items: list[ScoreInput] = items) -> None:
            for b in range(0, len(items), 256):
                scorer.score(items[b:b + 256])

        best, per_cpu = best_rates(score_all, len(items), repeat)
        bare = (best_rates(lambda texts=texts: encoder.encode(texts), len(texts), repeat)[0]
                if encoder is not None else None)
        out[name] = (best, per_cpu, bare)
    return out, scorer.model_version, peak_rss_mb()


def bench_xlmr(texts: list[str], repeat: int, batch_size: int = 32) -> tuple[float, float]:
    """Best messages/s and messages per CPU-second of a random-weight XLM-R-base classifier (sorted batches of 32)."""
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaForSequenceClassification

    from qa_monitor.config import Settings
    from qa_monitor.encoders.e5 import ENCODER_DIR, OnnxE5Encoder

    torch.set_num_threads(THREADS)
    torch.manual_seed(0)
    # Detoxify multilingual = xlm-roberta-base with 6 (Jigsaw) outputs; written out instead of downloaded.
    config = XLMRobertaConfig(vocab_size=250002, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                              intermediate_size=3072, hidden_act="gelu", max_position_embeddings=514,
                              type_vocab_size=1, layer_norm_eps=1e-5, pad_token_id=1, bos_token_id=0,
                              eos_token_id=2, num_labels=6, problem_type="multi_label_classification")
    model = XLMRobertaForSequenceClassification(config).eval()
    # XLM-R's own SentencePiece vocabulary: the same 250,002 pieces the e5 encoder's tokenizer was rebuilt from.
    tokenizer = OnnxE5Encoder(Settings().models_dir / ENCODER_DIR, threads=THREADS)
    ids = [i[:256] for i in tokenizer.token_ids(texts)]
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))

    def classify_all() -> None:
        for b in range(0, len(order), batch_size):
            idx = order[b:b + batch_size]
            width = max(len(ids[i]) for i in idx)
            x = torch.ones((len(idx), width), dtype=torch.long)
            m = torch.zeros((len(idx), width), dtype=torch.long)
            for j, i in enumerate(idx):
                x[j, :len(ids[i])] = torch.tensor(ids[i])
                m[j, :len(ids[i])] = 1
            torch.sigmoid(model(input_ids=x, attention_mask=m).logits)

    with torch.inference_mode():
        model(input_ids=torch.tensor([ids[order[-1]]] * 4))  # warm-up
        return best_rates(classify_all, len(texts), repeat)


def main() -> None:
    """Run both on both corpora and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=1000, help="messages of each corpus used (its first n)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--baseline-repeat", type=int, default=1)
    args = ap.parse_args()
    rows = {name: corpus.load(name)[:args.n] for name in corpus.CORPORA}
    corpora = {name: [str(r["text"]) for r in rs] for name, rs in rows.items()}
    print(f"{THREADS} threads; load average at the start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for name, rs in rows.items():
        print(f"{name}: {len(rs)} messages, {sum(int(str(r['sentences'])) for r in rs) / len(rs):.1f} sentences "
              f"each on average, {sum(r['problem'] is not None for r in rs) / len(rs):.0%} with a problem")
    scored, version, rss = bench_scorer(corpora, args.repeat)
    print(f"scorer {version}: peak RSS {rss:.0f} MB (serving target < 1024 MB)")
    for name, texts in corpora.items():
        rate, rate_cpu, bare = scored[name]
        base, base_cpu = bench_xlmr(texts, args.baseline_repeat)
        print(f"{name}: scorer {rate:.1f} messages/s ({rate_cpu:.1f} per CPU-second); XLM-R-base classifier (torch, "
              f"random weights) {base:.1f} messages/s ({base_cpu:.1f} per CPU-second)"
              + (f"; the scorer's encoder alone, one pass per message, {bare:.1f} messages/s ({bare / base:.1f}x)"
                 if bare is not None else ""))
        print(f"ratio ({name}): {rate / base:.1f}x  ({rate_cpu / base_cpu:.1f}x per CPU-second)")
    print("targets: realistic >= 10x, problem-heavy >= 5x")
    # On a shared machine the wall-clock figures move with other load; CPU-seconds less so.
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
