"""Small pure normalisers shared by the adapters (licences, sizes, formats, dates, ids, counts,
prose counts, access statements, file digests)."""
