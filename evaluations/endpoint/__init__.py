"""Completions from an OpenAI-compatible chat endpoint: the client, its errors, the API key at rest, the SSRF
guard for base URLs and the turning of chat answers into HumanEval completions.

Entry points: `generation.generate` (what the run task calls), `secrets.encrypt_secret/decrypt_secret`,
`urls.problem_with` (base URL validation for forms and services) and `extraction.completion_from_answer`.
"""
