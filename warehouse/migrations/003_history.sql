-- History, conflicts, withdrawn sources and the publish log.
-- Everything here is a view over the tables of 001, so a migrated old warehouse gets its whole
-- history retroactively; only `publishes` is new data.

-- ------------------------------------------------------------------ value comparison
-- Text folded for comparison: case and runs of white space do not make two values differ.
create or replace macro lqs_fold(s) as lower(trim(regexp_replace(s, '\s+', ' ', 'g')));

-- A JSON list as a sorted set of folded strings (order and duplicates do not matter).
create or replace macro lqs_json_set(v) as
    list_sort(list_distinct(list_transform(from_json(v, '["VARCHAR"]'), lambda x: lqs_fold(x))));

-- A year or year-month and a full date inside it ("2022" and "2022-02-02") say the same thing
-- at different precision (DataCite's publicationYear next to schema.org's datePublished).
create or replace macro lqs_same_date(a, b) as
    regexp_full_match(a, '\d{4}(-\d{2}){0,2}') and regexp_full_match(b, '\d{4}(-\d{2}){0,2}')
    and (starts_with(a, b) or starts_with(b, a));

-- Two JSON values disagree beyond tolerance: numbers by more than 1% relative, strings after
-- folding (dates by precision, above), lists as sets; anything else (objects, booleans, mixed
-- kinds) by its JSON text.
create or replace macro lqs_values_disagree(a, b) as
    case
        when json_type(a) in ('BIGINT', 'UBIGINT', 'DOUBLE') and json_type(b) in ('BIGINT', 'UBIGINT', 'DOUBLE')
            then abs((a ->> '$')::double - (b ->> '$')::double)
                 > 0.01 * greatest(abs((a ->> '$')::double), abs((b ->> '$')::double))
        when json_type(a) = 'VARCHAR' and json_type(b) = 'VARCHAR'
            then lqs_fold(a ->> '$') <> lqs_fold(b ->> '$') and not lqs_same_date(a ->> '$', b ->> '$')
        when json_type(a) = 'ARRAY' and json_type(b) = 'ARRAY'
            then lqs_json_set(a) <> lqs_json_set(b)
        else json(a) <> json(b)
    end;

-- ------------------------------------------------------------------ run sequences
-- Each successful source run with the dataset's previous successful one (same order as
-- latest_source_runs, so the last row here is what facts_current shows).
create or replace view successful_source_runs as
select run_id, dataset_id, status, finished_at,
       lag(run_id) over (partition by dataset_id order by finished_at, run_id) as prev_run_id
from source_runs where status in ('ok', 'unchanged');

-- Every source run, marked `gone` when it failed because the source's main URL answered 404 or
-- 410, with the two runs before it (a source is withdrawn after two gone runs in a row).
create or replace view source_run_gone as
with answers as (
    select f.run_id, f.dataset_id, max(f.outcome) as outcome
    from fetches f join datasets d on d.dataset_id = f.dataset_id and f.url = d.source_url
    where f.outcome in ('http-404', 'http-410')
    group by all
), marked as (
    select s.run_id, s.dataset_id, s.status, s.finished_at, a.outcome,
           s.status = 'failed' and a.outcome is not null as gone
    from source_runs s left join answers a using (run_id, dataset_id)
)
select *,
       coalesce(lag(gone, 1) over w, false) as gone_before,
       coalesce(lag(gone, 2) over w, false) as gone_before_2,
       row_number() over (partition by dataset_id order by finished_at desc, run_id desc) as recency
from marked
window w as (partition by dataset_id order by finished_at, run_id);

-- Datasets whose source vanished: the last two runs that included them both got 404/410 on the
-- main URL. They stay in every table (history is kept); this only marks them.
create or replace view withdrawn as
select g.dataset_id, d.source_url as url, g.outcome, g.run_id as last_run_id,
       g.finished_at as last_checked_at, l.run_id as last_ok_run_id
from source_run_gone g
join datasets d using (dataset_id)
left join latest_source_runs l using (dataset_id)
where g.recency = 1 and g.gone and g.gone_before;

-- ------------------------------------------------------------------ changes
-- Per run: each field that appeared, disappeared or changed (winner facts of the dataset's own
-- record, compared with its previous successful run), dataset added/withdrawn/restored, and each
-- LQS composite, tier and dimension score change. Licence and commercial-use rows are `flagged`.
create or replace view changes as
with winners as (
    select run_id, dataset_id, field, value, evidence, source_url
    from facts where winner and record is null
    qualify row_number() over (partition by run_id, dataset_id, field
                               order by rank desc nulls last, extractor, source_url) = 1
), cur as (
    select s.run_id, s.dataset_id, s.finished_at, s.prev_run_id, w.field, w.value, w.evidence, w.source_url
    from successful_source_runs s join winners w using (run_id, dataset_id)
    where s.prev_run_id is not null
), old as (
    select s.run_id, s.dataset_id, s.finished_at, s.prev_run_id, w.field, w.value
    from successful_source_runs s
    join winners w on w.run_id = s.prev_run_id and w.dataset_id = s.dataset_id
), fact_changes as (
    select coalesce(c.run_id, o.run_id) as run_id, coalesce(c.finished_at, o.finished_at) as changed_at,
           coalesce(c.dataset_id, o.dataset_id) as dataset_id, 'fact' as kind,
           coalesce(c.field, o.field) as item,
           case when o.field is null then 'appeared' when c.field is null then 'disappeared'
                else 'changed' end as change,
           o.value as old_value, c.value as new_value, c.evidence, c.source_url,
           coalesce(c.prev_run_id, o.prev_run_id) as prev_run_id
    from cur c full join old o
      on c.run_id = o.run_id and c.dataset_id = o.dataset_id and c.field = o.field
    where c.field is null or o.field is null or c.value::varchar is distinct from o.value::varchar
), dataset_changes as (
    select run_id, finished_at as changed_at, dataset_id, 'dataset' as kind, 'status' as item,
           'added' as change, null::json as old_value, to_json(status) as new_value,
           null as evidence, null as source_url, null as prev_run_id
    from successful_source_runs where prev_run_id is null
    union all
    select run_id, finished_at, dataset_id, 'dataset', 'status',
           case when gone then 'withdrawn' else 'restored' end,
           to_json(case when gone then 'available' else 'withdrawn' end),
           to_json(case when gone then 'withdrawn' else status end),
           case when gone then 'main URL answered ' || outcome || ' in two runs in a row' end, null, null
    from source_run_gone
    where (gone and gone_before and not gone_before_2)
       or (status in ('ok', 'unchanged') and gone_before and gone_before_2)
), scores as (
    select *,
           lag(run_id) over w as prev_run_id, lag(scored_at) over w as prev_scored_at,
           lag(composite) over w as prev_composite, lag(tier) over w as prev_tier
    from lqs_scores
    window w as (partition by dataset_id order by scored_at, run_id)
), score_changes as (
    select run_id, scored_at as changed_at, dataset_id, 'lqs' as kind, 'composite' as item, 'changed' as change,
           to_json(prev_composite) as old_value, to_json(composite) as new_value,
           'methodology v' || methodology_version as evidence, null as source_url, prev_run_id
    from scores where prev_run_id is not null and composite <> prev_composite
    union all
    select run_id, scored_at, dataset_id, 'lqs', 'tier', 'changed', to_json(prev_tier), to_json(tier),
           'methodology v' || methodology_version, null, prev_run_id
    from scores where prev_run_id is not null and tier <> prev_tier
), dim_cur as (
    select s.run_id, s.dataset_id, s.scored_at, s.prev_run_id, d.dimension, d.score, d.basis, d.evidence
    from scores s join lqs_dimensions d using (run_id, dataset_id, scored_at)
    where s.prev_run_id is not null
), dim_old as (
    select s.run_id, s.dataset_id, s.scored_at, s.prev_run_id, d.dimension, d.score
    from scores s join lqs_dimensions d
      on d.run_id = s.prev_run_id and d.dataset_id = s.dataset_id and d.scored_at = s.prev_scored_at
), dimension_changes as (
    select coalesce(c.run_id, o.run_id) as run_id, coalesce(c.scored_at, o.scored_at) as changed_at,
           coalesce(c.dataset_id, o.dataset_id) as dataset_id, 'dimension' as kind,
           coalesce(c.dimension, o.dimension) as item,
           case when o.dimension is null then 'appeared' when c.dimension is null then 'disappeared'
                else 'changed' end as change,
           to_json(o.score) as old_value, to_json(c.score) as new_value,
           c.basis || ': ' || c.evidence as evidence, null as source_url,
           coalesce(c.prev_run_id, o.prev_run_id) as prev_run_id
    from dim_cur c full join dim_old o
      on c.run_id = o.run_id and c.dataset_id = o.dataset_id and c.scored_at = o.scored_at
     and c.dimension = o.dimension
    where c.dimension is null or o.dimension is null or c.score <> o.score
), everything as (
    select * from fact_changes
    union all by name select * from dataset_changes
    union all by name select * from score_changes
    union all by name select * from dimension_changes
)
select run_id, changed_at, dataset_id, kind, item, change, old_value, new_value,
       kind = 'fact' and item in ('license', 'commercial_use') as flagged,
       evidence, source_url, prev_run_id
from everything;

-- ------------------------------------------------------------------ conflicts
-- Current facts of one dataset from different sources (source URL or extractor) that disagree
-- beyond tolerance; one row per pair, with both values, their sources and evidence.
create or replace view conflicts as
with f as (
    select run_id, dataset_id, field, value, source_url, extractor, basis, evidence, winner,
           coalesce(source_url, '') || ' ' || coalesce(extractor, '') as origin
    from facts_current
    where record is null and value is not null and json_type(value) <> 'NULL'
      and field <> 'extraction_error'
)
select a.run_id, a.dataset_id, a.field,
       a.value as value_a, a.source_url as source_a, a.extractor as extractor_a, a.basis as basis_a,
       a.evidence as evidence_a, a.winner as winner_a,
       b.value as value_b, b.source_url as source_b, b.extractor as extractor_b, b.basis as basis_b,
       b.evidence as evidence_b, b.winner as winner_b
from f a join f b
  on a.run_id = b.run_id and a.dataset_id = b.dataset_id and a.field = b.field and a.origin < b.origin
where lqs_values_disagree(a.value, b.value);

-- ------------------------------------------------------------------ catalog + withdrawn
-- The catalog keeps its columns (002) and gains `withdrawn` at the end.
alter view catalog rename to catalog_base;
create view catalog as
select c.*, w.dataset_id is not null as withdrawn
from catalog_base c left join withdrawn w using (dataset_id);

-- ------------------------------------------------------------------ publishes
-- One row per `lqs publish`. The changes it wrote are those with changed_at in
-- (changes_since, changes_until]; the next publish to the same folder starts at changes_until.
create table publishes (
    publish_id      varchar primary key,
    published_at    timestamp not null,
    out_dir         varchar not null,
    changes_since   timestamp,                 -- null: from the beginning
    changes_until   timestamp,                 -- null: no changes yet
    files           integer not null,
    written         integer not null,
    removed         integer not null,
    manifest_sha256 varchar not null
);
