"""Exchange with other tools: REFI-QDA (``.qdpx`` projects, ``.qdc`` codebooks) for ATLAS.ti,
MAXQDA, NVivo and QualCoder, and CSV/XLSX tables of segments × codes and quotes."""

from .refi_qda import detect_kind, export_qdc, export_qdpx, import_qdc, import_qdpx

__all__ = ["export_qdpx", "import_qdpx", "export_qdc", "import_qdc", "detect_kind"]
