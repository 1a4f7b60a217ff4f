-- LQS v1.1 (issue 13): a score is "rated" only with enough evidence, else "provisional" with the
-- tier "unrated"; every place that shows a score shows which, with the count of evidenced
-- dimensions. And each dimension without evidence says what would fill it (evidence_gaps).
--
-- * lqs_scores gains `status` ('rated' | 'provisional') and `evidenced` (dimensions whose basis
--   is not 'default'). Rows already stored were all scored under methodology v1, which had no
--   provisional status: they were published as rated, so they stay 'rated' with the tier they
--   were published with. Their `evidenced` is counted from their stored dimensions (rows without
--   dimension rows: from their coverage, coverage = evidenced / 7).
-- * lqs_dimensions gains `gap`: what would fill a dimension scored by default, from lqs.toml's
--   [gaps] at scoring time (the texts are methodology data, not SQL). Old default rows get a
--   sentence saying v1 recorded none.
-- * The views show the scores of the CURRENT methodology version: the version of the score
--   written last (`lqs score` under a new lqs.toml rescores the whole warehouse, so every
--   dataset has one). Every version's rows stay in lqs_scores / lqs_dimensions, e.g.
--   `select * from lqs_scores where methodology_version = '1'`.
alter table lqs_scores add column status varchar default 'rated';
alter table lqs_scores add column evidenced integer;

update lqs_scores set evidenced = coalesce(
    (select count(*) filter (where d.basis <> 'default') from lqs_dimensions d
     where d.run_id = lqs_scores.run_id and d.dataset_id = lqs_scores.dataset_id
       and d.scored_at = lqs_scores.scored_at
     having count(*) > 0),
    cast(round(coverage * 7) as integer));

alter table lqs_dimensions add column gap varchar;
update lqs_dimensions set gap = 'No record of what would fill it (scored under methodology v'
    || coalesce((select s.methodology_version from lqs_scores s
                 where s.run_id = lqs_dimensions.run_id and s.dataset_id = lqs_dimensions.dataset_id
                   and s.scored_at = lqs_dimensions.scored_at limit 1), '1')
    || '); run `lqs score`.'
where basis = 'default';

create or replace view lqs_current_methodology as
select methodology_version from lqs_scores order by scored_at desc, run_id desc limit 1;

create or replace view lqs_latest as
select dataset_id, composite, tier, coverage, methodology_version, scored_at, run_id, status, evidenced from (
    select *, row_number() over (partition by dataset_id order by scored_at desc, run_id desc) as rn
    from lqs_scores
    where methodology_version = (select methodology_version from lqs_current_methodology)
) where rn = 1;

create or replace view lqs_dimensions_latest as
select d.dataset_id, d.dimension, d.score, d.basis, d.evidence
from lqs_dimensions d
join lqs_latest l on d.dataset_id = l.dataset_id and d.run_id = l.run_id and d.scored_at = l.scored_at;

-- One row per dimension of a latest score that rests on no evidence, with what would fill it.
create or replace view evidence_gaps as
select d.dataset_id, d.dimension, d.gap
from lqs_dimensions d
join lqs_latest l on d.dataset_id = l.dataset_id and d.run_id = l.run_id and d.scored_at = l.scored_at
where d.basis = 'default';

-- The catalog keeps its columns (006) and shows the status and evidenced count after them.
drop view catalog;

create or replace view catalog_base as
with w as (
    select dataset_id, field, value from facts_current where winner and record is null
), p as (
    select dataset_id,
        max(case when field = 'title' then value ->> '$' end) as title,
        max(case when field = 'item_count' then try_cast(value ->> '$' as bigint) end) as item_count,
        max(case when field = 'item_unit' then value ->> '$' end) as item_unit,
        max(case when field = 'subject_count' then try_cast(value ->> '$' as bigint) end) as subject_count,
        max(case when field = 'class_count' then try_cast(value ->> '$' as bigint) end) as class_count,
        max(case when field = 'size_bytes' then try_cast(value ->> '$' as bigint) end) as size_bytes,
        max(case when field = 'license' then value ->> '$' end) as license,
        max(case when field = 'commercial_use' then try_cast(value ->> '$' as boolean) end) as commercial_use,
        max(case when field = 'release_date' then try_cast(left(value ->> '$', 4) as integer) end) as release_year,
        max(case when field = 'publisher' then value ->> '$' end) as publisher
    from w group by dataset_id
)
select d.dataset_id, d.name as title, d.category, p.item_count, p.item_unit,
       p.subject_count, p.class_count, p.size_bytes, f.formats, p.license, p.commercial_use,
       p.release_year, p.publisher, d.source_url, l.composite as lqs, l.tier, l.scored_at,
       p.title as page_title, l.status as lqs_status, l.evidenced as lqs_evidenced,
       l.methodology_version as lqs_methodology_version
from datasets d
left join p on p.dataset_id = d.dataset_id
left join catalog_formats f on f.dataset_id = d.dataset_id
left join lqs_latest l on l.dataset_id = d.dataset_id;

create view catalog as
select c.*, w.dataset_id is not null as withdrawn
from catalog_base c left join withdrawn w using (dataset_id);
