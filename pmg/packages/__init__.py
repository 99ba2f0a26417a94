"""Evidence packages: one ZIP with what a cycle's chosen versions hold (each PDF and evidence
file, in a folder per institution), the manifests of it and the consolidated workbook
(:mod:`.builder`), for DIPRES to keep or hand on whole."""
