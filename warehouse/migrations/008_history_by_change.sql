-- History stored by change (issue 14). An `unchanged` source run used to copy its facts, files
-- and label statistics into every new run; now it stores none and points at the run that holds
-- them. What every query sees stays exactly as it was:
--
-- * source_runs gains `facts_run_id`: the run whose stored rows are this source run's facts,
--   files and label statistics: the run itself for `ok` and `failed`, and for `unchanged` the
--   facts_run_id of the run it reused (so it never points at another `unchanged` run).
-- * The rows live in facts_stored, files_stored and label_stats_stored, once per change.
-- * `facts`, `files` and `label_stats` become views with the rows and columns the tables had:
--   the stored rows, plus each unchanged source run's rows under its own run_id. So per-run
--   history queries (README), `changes` and every other view read what they read before. Each
--   view also exposes the stored row's `rowid` (last column): the listing order a reader may
--   sort by, as it did on the table.
-- * facts_current reads the stored rows directly through facts_run_id (the same rows as the
--   facts view would give, without expanding every run).
--
-- An existing warehouse is converted in place: each unchanged run's copied rows are dropped
-- (they equal the rows of the run it points at: they were copied from it). The file keeps its
-- size until `lqs compact` rewrites it.

alter table source_runs add column facts_run_id varchar;

-- Walk each unchanged run back along reused_run_id to the first run that is not unchanged
-- (ok: it holds the rows). A reused run missing from source_runs ends the walk: that run keeps
-- its own copied rows.
update source_runs set facts_run_id = r.root
from (
    with recursive walk(run_id, dataset_id, holder, depth) as (
        select run_id, dataset_id, run_id, 0 from source_runs
        union all
        select w.run_id, w.dataset_id, p.reused_run_id, w.depth + 1
        from walk w
        join source_runs p on p.run_id = w.holder and p.dataset_id = w.dataset_id
        join source_runs q on q.run_id = p.reused_run_id and q.dataset_id = p.dataset_id
        where p.status = 'unchanged' and w.depth < 100000
    )
    select run_id, dataset_id, arg_max(holder, depth) as root from walk group by run_id, dataset_id
) r
where source_runs.run_id = r.run_id and source_runs.dataset_id = r.dataset_id;

alter table facts rename to facts_stored;
alter table files rename to files_stored;
alter table label_stats rename to label_stats_stored;

delete from facts_stored t using source_runs s
where s.run_id = t.run_id and s.dataset_id = t.dataset_id and s.facts_run_id <> s.run_id;
delete from files_stored t using source_runs s
where s.run_id = t.run_id and s.dataset_id = t.dataset_id and s.facts_run_id <> s.run_id;
delete from label_stats_stored t using source_runs s
where s.run_id = t.run_id and s.dataset_id = t.dataset_id and s.facts_run_id <> s.run_id;

create view facts as
select t.*, t.rowid as rowid from facts_stored t
union all
select t.* replace (s.run_id as run_id), t.rowid as rowid
from facts_stored t join source_runs s on t.run_id = s.facts_run_id and t.dataset_id = s.dataset_id
where s.facts_run_id <> s.run_id;

create view files as
select t.*, t.rowid as rowid from files_stored t
union all
select t.* replace (s.run_id as run_id), t.rowid as rowid
from files_stored t join source_runs s on t.run_id = s.facts_run_id and t.dataset_id = s.dataset_id
where s.facts_run_id <> s.run_id;

create view label_stats as
select t.*, t.rowid as rowid from label_stats_stored t
union all
select t.* replace (s.run_id as run_id), t.rowid as rowid
from label_stats_stored t join source_runs s on t.run_id = s.facts_run_id and t.dataset_id = s.dataset_id
where s.facts_run_id <> s.run_id;

-- (A source run written without facts_run_id, e.g. by a test's direct insert, holds its own rows.)
create or replace view facts_current as
select f.* replace (s.run_id as run_id) from facts_stored f
join latest_source_runs s on f.run_id = coalesce(s.facts_run_id, s.run_id) and f.dataset_id = s.dataset_id;
