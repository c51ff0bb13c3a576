#!/usr/bin/env python3
"""Regenerate the repository's sample inputs: camera_ready/*.pdf and camera_ready/papers.yaml.

The ten papers are invented samples for the EReL@MIR 2025 workshop (1st Workshop on Efficient
Representation Learning for Multimodal Information Retrieval, held with WWW '25 in Sydney,
April 28–29, 2025). Titles, authors, e-mail addresses (at example.org), abstracts and DOIs (under
Crossref's test prefix 10.5555) are made up; every PDF says so in its /Subject. The files are
deterministic: running this again gives the same bytes.

    python tools/make_samples.py            # writes into camera_ready/
    python tools/make_samples.py --out DIR  # somewhere else
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT))

from tools.samples import SampleAuthor, SamplePaper, write_paper  # noqa: E402

CONFERENCE = "EReL@MIR '25, April 28–29, 2025, Sydney, NSW, Australia"

S1 = "Efficient Multimodal Representations"
S2 = "Retrieval and Recommendation"
S3 = "Benchmarks and Evaluation"


def A(name: str, affiliation: str, email: str, family: str | None = None) -> dict:
    """An author entry of papers.yaml (``family`` only when it is not the last word)."""
    out = {"name": name}
    if family:
        out["family"] = family
    out["affiliation"] = affiliation
    out["email"] = email
    return out


PAPERS: list[dict] = [
    {
        "title": "Token Pruning for Efficient CLIP-Based Text-to-Image Retrieval",
        "authors": [
            A("Łukasz Kowalczyk", "Warsaw University of Technology, Warsaw, Poland", "lukasz.kowalczyk@example.org"),
            A("Zoë van der Berg", "Delft University of Technology, Delft, Netherlands", "z.vanderberg@example.org",
              family="van der Berg"),
            A("Hiroshi Tanabe", "University of Tokyo, Tokyo, Japan", "tanabe@example.org"),
        ],
        "abstract": (
            "Vision-language encoders such as CLIP process hundreds of visual tokens per image, although most of "
            "them carry little information for retrieval. We propose a training-free token pruning scheme that "
            "ranks patch tokens by their attention to the class token and drops the least informative ones after "
            "the fourth transformer block. On MS-COCO and Flickr30K, pruning 60% of the tokens halves the "
            "encoding time of the image tower while Recall@10 decreases by less than one point. The method needs "
            "no retraining and can be combined with existing approximate nearest neighbour indexes."
        ),
        "keywords": ["token pruning", "CLIP", "text-to-image retrieval", "efficient inference"],
        "session": S1,
        "body_pages": 6,
        "ref_pages": 1,
    },
    {
        "title": "Parameter-Efficient Adaptation of LLaMA Representations for Cross-Modal Retrieval",
        "authors": [
            A("Nguyễn Thị Minh Khai", "VNU University of Engineering and Technology, Hanoi, Vietnam",
              "khai.ntm@example.org", family="Nguyễn"),
            A("Trần Quốc Bảo", "VNU University of Engineering and Technology, Hanoi, Vietnam", "bao.tq@example.org",
              family="Trần"),
            A("Emily Hartmann", "University of Melbourne, Melbourne, Australia", "emily.hartmann@example.org"),
        ],
        "abstract": (
            "Large language models provide strong text representations, but adapting them to multimodal retrieval "
            "usually requires full fine-tuning of billions of parameters. We study low-rank adaptation of a frozen "
            "LLaMA backbone paired with a compact vision encoder, training fewer than 0.5% of the parameters. "
            "A two-stage schedule first aligns the projection layer and then updates the adapters with a "
            "contrastive objective. The adapted model matches a fully fine-tuned baseline on Flickr30K and WebQA "
            "while reducing training memory by a factor of four."
        ),
        "keywords": ["large language models", "low-rank adaptation", "cross-modal retrieval",
                     "parameter-efficient fine-tuning"],
        "session": S1,
        "body_pages": 5,
        "ref_pages": 1,
    },
    {
        "title": "Matryoshka Embeddings for Budget-Aware Image Search",
        "authors": [
            A("Søren Østergaard", "Aarhus University, Aarhus, Denmark", "soeren.oestergaard@example.org"),
            A("Ingrid Halvorsen", "University of Oslo, Oslo, Norway", "ingridha@example.org"),
        ],
        "abstract": (
            "Deployed image search systems must serve queries under varying latency and memory budgets. We train "
            "nested Matryoshka embeddings on top of a frozen vision-language encoder so that a single index can "
            "be truncated to 64, 128, 256 or 512 dimensions at query time. A lightweight re-ranking step on the "
            "full vectors recovers most of the effectiveness lost by truncation. Experiments on three product "
            "search collections show that 128-dimensional prefixes retain 96% of the full Recall@10 at one "
            "quarter of the index size."
        ),
        "keywords": ["Matryoshka representation learning", "image search", "embedding compression",
                     "adaptive retrieval"],
        "session": S1,
        "body_pages": 4,
        "ref_pages": 1,
    },
    {
        "title": "Binary Cross-Modal Hashing with Distilled Vision-Language Teachers",
        "authors": [
            A("Çağla Yıldırım", "Boğaziçi University, Istanbul, Türkiye", "cagla.yildirim@example.org"),
            A("Mehmet Öztürk", "Boğaziçi University, Istanbul, Türkiye", "mehmet.ozturk@example.org"),
            A("Ayşe Demirci", "Koç University, Istanbul, Türkiye", "aysedemirci@example.org"),
            A("Jun Watanabe", "NAVER Cloud, Seongnam, South Korea", "jun.watanabe@example.org"),
        ],
        "abstract": (
            "Cross-modal hashing maps images and texts to compact binary codes that can be searched with the "
            "Hamming distance. Existing hashing models are trained from scratch and lag far behind continuous "
            "vision-language embeddings. We distil the similarity structure of a large vision-language teacher "
            "into 64-bit and 128-bit codes using a rank-preserving loss and a quantization penalty. On MS-COCO "
            "and NUS-WIDE, the distilled codes improve mean average precision by 4 to 7 points over the "
            "strongest hashing baselines while keeping the index 32 times smaller than float embeddings."
        ),
        "keywords": ["cross-modal hashing", "knowledge distillation", "binary codes", "vision-language models"],
        "session": S1,
        "body_pages": 7,
        "ref_pages": 2,
    },
    {
        "title": "Distilling Multimodal LLM Rankers into Lightweight Recommenders",
        "authors": [
            A("José María Álvarez Pérez", "Telefónica Research, Barcelona, Spain", "josemaria.alvarez@example.org",
              family="Álvarez Pérez"),
            A("Lucía Fernández García", "Universitat Pompeu Fabra, Barcelona, Spain", "lucia.fernandez@example.org",
              family="Fernández García"),
            A("Marco Bianchi", "Politecnico di Milano, Milan, Italy", "marco.bianchi@example.org"),
        ],
        "abstract": (
            "Multimodal large language models can rank items by reasoning over images and descriptions, but they "
            "are far too slow for online recommendation. We distil the pairwise preferences of a multimodal LLM "
            "ranker into a two-tower student whose item tower consumes cached image and text embeddings. "
            "A curriculum over increasingly hard negatives stabilises training. On two e-commerce data sets the "
            "student recovers 92% of the teacher's NDCG@10 and serves a request in under 5 milliseconds on a "
            "single CPU core."
        ),
        "keywords": ["knowledge distillation", "multimodal recommendation", "large language models",
                     "recommender systems"],
        "session": S2,
        "body_pages": 6,
        "ref_pages": 1,
    },
    {
        "title": "Late-Interaction Retrieval with Compressed Visual Tokens",
        "authors": [
            A("Xinyu Chen", "Tsinghua University, Beijing, China", "chenxy23@example.org"),
            A("Ananya Iyer", "Indian Institute of Science, Bengaluru, India", "ananya.iyer@example.org"),
            A("Wei Liang", "Tsinghua University, Beijing, China", "liangwei@example.org"),
            A("Daniel Okonkwo", "University of Waterloo, Waterloo, Canada", "d.okonkwo@example.org"),
            A("Sarah Lindqvist", "KTH Royal Institute of Technology, Stockholm, Sweden", "sarlin@example.org"),
        ],
        "abstract": (
            "Late-interaction models score a query against every token of a document, which makes them accurate "
            "but expensive to store for images with hundreds of patch embeddings. We compress visual token "
            "matrices with learned token merging and residual product quantization, reducing the storage per "
            "image from 200 KB to 6 KB. A centroid-based candidate generation stage keeps query latency below "
            "20 milliseconds on collections of ten million images. Effectiveness on multimodal question answering "
            "and composed image retrieval stays within one point of the uncompressed model."
        ),
        "keywords": ["late interaction", "token merging", "product quantization", "multimodal retrieval"],
        "session": S2,
        "body_pages": 8,
        "ref_pages": 2,
    },
    {
        "title": "Efficient Sequential Recommendation with Cached Multimodal Item Representations",
        "authors": [
            A("Ana Beatriz Gonçalves", "Universidade do Porto, Porto, Portugal", "abgoncalves@example.org"),
            A("Pedro Almeida", "INESC TEC, Porto, Portugal", "pedro.almeida@example.org"),
            A("Mariana Costa", "Universidade do Porto, Porto, Portugal", "mcosta@example.org"),
        ],
        "abstract": (
            "Sequential recommenders increasingly encode item images and texts with pretrained multimodal "
            "encoders, which dominates training and serving cost. We show that caching frozen item "
            "representations and learning only a small fusion layer loses little accuracy. A periodic refresh "
            "policy updates the cache for new and popular items only. On three public data sets the cached "
            "model trains eight times faster than end-to-end fine-tuning with a loss of less than 2% in "
            "Hit Rate@20."
        ),
        "keywords": ["sequential recommendation", "multimodal item representations", "caching", "efficiency"],
        "session": S2,
        "body_pages": 5,
        "ref_pages": 1,
    },
    {
        "title": "EffiMM-Bench: A Benchmark for Efficiency-Aware Multimodal Retrieval",
        "authors": [
            A("François Lefèvre", "Inria, Grenoble, France", "francois.lefevre@example.org"),
            A("Amélie Durand", "Université Grenoble Alpes, Grenoble, France", "amelie.durand@example.org"),
            A("Björn Sandström", "Chalmers University of Technology, Gothenburg, Sweden",
              "bjorn.sandstrom@example.org"),
            A("Zoë van der Berg", "Delft University of Technology, Delft, Netherlands", "z.vanderberg@example.org",
              family="van der Berg"),
        ],
        "abstract": (
            "Multimodal retrieval benchmarks rank systems by effectiveness alone, which hides large differences "
            "in latency, memory and energy. We introduce EffiMM-Bench, a benchmark of eight retrieval tasks over "
            "images, video and text that reports effectiveness together with query latency, index size and "
            "energy per thousand queries measured on fixed hardware. We evaluate 24 publicly available models "
            "and find that the most effective systems are rarely on the efficiency frontier. The benchmark, "
            "measurement harness and leaderboard are released for the community."
        ),
        "keywords": ["benchmarking", "multimodal retrieval", "efficiency", "evaluation"],
        "session": S3,
        "body_pages": 7,
        "ref_pages": 1,
    },
    {
        "title": "How Much Does Compression Cost? Evaluating Quantized Multimodal Embeddings",
        "authors": [
            A("Jiří Dvořák", "Charles University, Prague, Czech Republic", "dvorak@example.org"),
            A("Katarzyna Wiśniewska", "AGH University of Krakow, Kraków, Poland", "kwisniewska@example.org"),
        ],
        "abstract": (
            "Scalar, product and binary quantization are routinely applied to multimodal embeddings, but their "
            "effect on retrieval quality is rarely measured consistently. We evaluate eleven quantization "
            "schemes on six vision-language encoders and five benchmarks under a common protocol. Int8 scalar "
            "quantization is practically lossless, whereas binary codes lose up to 15 points of Recall@1 unless "
            "combined with re-ranking. We provide guidelines for choosing a scheme under a given memory budget."
        ),
        "keywords": ["quantization", "embedding compression", "evaluation", "vision-language models"],
        "session": S3,
        "body_pages": 4,
        "ref_pages": 1,
    },
    {
        "title": "Energy-Aware Evaluation of Multimodal Retrieval Pipelines",
        "authors": [
            A("Aoife Ní Bhriain", "University of Glasgow, Glasgow, United Kingdom", "aoife.nibhriain@example.org",
              family="Ní Bhriain"),
            A("Rahul Mehta", "University of Glasgow, Glasgow, United Kingdom", "rahul.mehta@example.org"),
            A("Siobhán Gallagher", "University College Dublin, Dublin, Ireland", "siobhan.gallagher@example.org"),
        ],
        "abstract": (
            "The energy consumed by multimodal retrieval is dominated by encoding rather than by search, yet "
            "evaluation campaigns report neither. We instrument complete retrieval pipelines, from image "
            "encoding to re-ranking, and measure energy with hardware counters on GPUs and CPUs. Across four "
            "pipelines, encoding the collection accounts for 70 to 90% of the energy of a typical evaluation "
            "run, and distilled encoders reduce it by an order of magnitude. We argue that energy per query "
            "should be a standard evaluation measure."
        ),
        "keywords": ["energy efficiency", "evaluation", "multimodal retrieval", "green information retrieval"],
        "session": S3,
        "body_pages": 6,
        "ref_pages": 2,
    },
]

HEADER = """\
# Accepted papers of EReL@MIR 2025, in volume order.
#
# SAMPLES: these ten papers, their authors, e-mail addresses (example.org), abstracts and DOIs
# (Crossref test prefix 10.5555) are invented.
# They were generated by tools/make_samples.py (`make samples`) to demonstrate and test the
# proceedings tool; the PDFs say so in their /Subject. Regenerate them rather than editing.
#
# Keys: id (quoted string), title, authors (name, family when it is not the last word,
# affiliation, email), file (relative to camera_ready/), abstract, keywords, session, doi.
"""


class _Quoted(str):
    """A string that YAML must write quoted ("1", not 1)."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Quoted, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style='"'))


def entries() -> list[tuple[dict, SamplePaper]]:
    """The papers.yaml entries and the sample specs of the ten papers."""
    out = []
    for i, paper in enumerate(PAPERS, start=1):
        doi = f"10.5555/erelmir25.{i:02d}"  # Crossref's test prefix: these DOIs resolve nowhere
        entry = {
            "id": _Quoted(str(i)),
            "title": paper["title"],
            "authors": paper["authors"],
            "file": f"erelmir25-{i:02d}.pdf",
            "abstract": paper["abstract"],
            "keywords": paper["keywords"],
            "session": paper["session"],
            "doi": doi,
        }
        spec = SamplePaper(
            title=paper["title"],
            authors=tuple(SampleAuthor(a["name"], a["affiliation"], a["email"]) for a in paper["authors"]),
            body_pages=paper["body_pages"],
            ref_pages=paper["ref_pages"],
            seed=2025_00 + i,
            conference=CONFERENCE,
            doi=doi,
            abstract=paper["abstract"],
            keywords=tuple(paper["keywords"]),
        )
        out.append((entry, spec))
    return out


LOGO = "logo-sample.png"
"""The sample logo in front_matter/ (the workshop's real logo is not ours to copy)."""


def write_logo(path: Path) -> None:
    """A plain generated badge that says it is a sample: "EReL@MIR '25 / SAMPLE LOGO" (deterministic PNG)."""
    from PIL import Image, ImageDraw, ImageFont, PngImagePlugin

    from proceedings.project.program import SAMPLE_KEY
    from proceedings.typeset.fonts import prepare

    fonts = prepare()
    image = Image.new("RGB", (600, 240), "white")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((8, 8, 591, 231), radius=40, outline="#1f3f7a", width=8)
    big = ImageFont.truetype(str(fonts["Bold"]), 78)
    small = ImageFont.truetype(str(fonts["Regular"]), 34)
    draw.text((300, 100), "EReL@MIR '25", font=big, fill="#1f3f7a", anchor="mm")
    draw.text((300, 180), "SAMPLE LOGO · not the real one", font=small, fill="#b03030", anchor="mm")
    marked = PngImagePlugin.PngInfo()
    marked.add_text(SAMPLE_KEY, "true")  # the build warns that the volume prints a sample logo
    image.save(path, format="PNG", optimize=False, pnginfo=marked)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "camera_ready", help="target folder (camera_ready/)")
    parser.add_argument("--logo", type=Path, default=ROOT / "front_matter" / LOGO, help="where the sample logo goes")
    args = parser.parse_args(argv)
    write_logo(args.logo)
    print(f"{args.logo}  sample logo")
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    items = entries()
    for entry, spec in items:
        path = out / entry["file"]
        write_paper(path, spec)
        print(f"{path}  {spec.body_pages}+{spec.ref_pages} pages  {path.stat().st_size // 1024} KB")
    text = yaml.dump([e for e, _ in items], Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    (out / "papers.yaml").write_text(HEADER + "\n" + text, encoding="utf-8")
    print(f"{out / 'papers.yaml'}  {len(items)} papers")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
