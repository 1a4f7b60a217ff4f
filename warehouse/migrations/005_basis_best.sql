-- The value scoring reads per (dataset, record, field, basis) is decided by extractors/resolve.py
-- at harvest time and stored as a flag, so scoring decides nothing itself (one precedence).
-- Existing rows get the flag by the rule scoring applied until now, which is resolve's rule for
-- the rows it wrote: the winner when it has that basis, else the highest rank, then the first
-- written.
alter table facts add column basis_best boolean default false;

update facts set basis_best = rowid in (
    select arg_max(rowid, (winner, rank is not null, coalesce(rank, 0), -rowid))
    from facts
    group by run_id, dataset_id, record, field, basis
);
