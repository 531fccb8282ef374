"""sohoa: scanned Vietnamese government documents to clean text and structured JSON records.

Stages, in data-flow order (one module each):
ingest -> rasterize -> preprocess -> layout -> ocr -> restore -> structure -> record.
`pipeline.run` drives one document through them.
"""

__version__ = "0.1.0"
