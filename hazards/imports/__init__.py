"""Importing risk registers: spreadsheets (XLSX, CSV) with a column mapping, and Hazlog JSON exports."""
