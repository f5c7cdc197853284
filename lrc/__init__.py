"""lrc: enterprise labour-relations credit scoring (企业劳动关系信用评价)."""

__version__ = "0.1.0"
