-- Digests other than sha256 that maintainers publish for files ("md5:<hex>", "sha1:<hex>", ...).
alter table files add column checksum varchar;
