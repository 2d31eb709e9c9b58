-- Rules that need more than one record: references between files, the documents' own text, dates,
-- and arithmetic that must hold before any figure is published. Each statement returns violations
-- as (file, row, field, rule, message) from the stage tables (stage_tables.sql); every row is
-- checked by every rule. Statements are separated by a line holding only ';'.

-- Manifest: ids unique, a text for every entry and an entry for every text, dates in order.
select
    source_file,
    source_line,
    'document_id',
    'unique_document_id',
    format('document id ''{}'' appears twice', document_id)
from stage_manifest
qualify row_number() over (partition by document_id order by source_file, source_line) > 1
union all
select source_file, source_line, 'document_id', 'document_text_exists', format('no text file documents/{}.txt', document_id)
from stage_manifest
where document_id not in (select document_id from src_texts)
union all
select source_file, source_line, 'published_end', 'period_start_before_end', 'published_end is before published_start'
from stage_manifest
where published_start > published_end
union all
select
    'documents/' || document_id || '.txt',
    0,
    'document_id',
    'document_in_manifest',
    'text file has no entry in documents/manifest.jsonl'
from src_texts
where document_id not in (select document_id from stage_manifest)
;
-- Facts: identity and references. (The first use is looked for only among ids used more than
-- once: a window over a million ids took most of this statement.)
with repeated as (
    select fact_id from stage_facts
    group by fact_id
    having count(*) > 1
),

first_use as (
    select fact_id, source_file, source_line
    from stage_facts
    where fact_id in (select fact_id from repeated)
    qualify row_number() over (partition by fact_id order by source_file, source_line) = 1
)

select
    f.source_file,
    f.source_line,
    'fact_id',
    'unique_fact_id',
    format('''{}'' is already used at {}, row {}', f.fact_id, first_use.source_file, first_use.source_line)
from stage_facts as f
inner join first_use on f.fact_id = first_use.fact_id and (f.source_file, f.source_line) != (first_use.source_file, first_use.source_line)
union all
select
    f.source_file,
    f.source_line,
    'document_id',
    case when m.document_id is null then 'known_document_id' else 'document_matches_file' end,
    case
        when m.document_id is null then format('''{}'' is not in documents/manifest.jsonl', f.document_id)
        else format('a fact of ''{}'' is in the file of ''{}''', f.document_id, parse_filename(f.source_file, true))
    end
from stage_facts as f
left join (select distinct document_id from stage_manifest) as m on f.document_id = m.document_id
where m.document_id is null or parse_filename(f.source_file, true) != f.document_id
union all
select source_file, source_line, 'metric', 'known_metric', format('''{}'' is not in reference/metrics.csv', metric)
from stage_facts
where metric not in (select metric from src_metrics)
union all
select
    source_file,
    source_line,
    'region',
    'known_region',
    format('''{}'' is not an ISO 3166-1 alpha-2 code or GLOBAL', region)
from stage_facts
where region not in (select region_code from src_regions)
union all
select
    f.source_file,
    f.source_line,
    'evidence',
    'evidence_in_document',
    format('the evidence sentence is not found verbatim in document {}', f.document_id)
from stage_facts as f
inner join src_texts as t on f.document_id = t.document_id
where not contains(t.content, f.evidence)
union all
select source_file, source_line, 'figure', 'figure_in_evidence', format('figure ''{}'' is not in the evidence sentence', figure)
from stage_facts
where not contains(evidence, figure)
;
-- Facts: periods. The label must fit its type and its dates (label_start and label_end, in
-- stage_tables.sql, give those a label fixes); relative words ('last year') must
-- resolve through the document's reference year and stand in the evidence.
with labelled as (
    select
        f.*,
        m.reference_year,
        case
            when label_start(f.period_type, f.period_label) is not null then f.period_type
            when f.period_type = 'fiscal_year' and regexp_full_match(f.period_label, 'FY[0-9]{4}') then 'fiscal_year'
        end as label_kind,
        case lower(f.period_text) when 'last year' then -1 when 'this year' then 0 when 'next year' then 1 end as year_offset
    from stage_facts as f
    left join (
        select document_id, reference_year from stage_manifest
        qualify row_number() over (partition by document_id order by source_file, source_line) = 1
    ) as m on f.document_id = m.document_id
),

expected as (
    select
        *,
        label_start(period_type, period_label) as expected_start,
        label_end(period_type, period_label) as expected_end,
        label_kind = 'fiscal_year'
        and (
            year(period_end) != try_cast(period_label[3:] as integer)
            or date_diff('day', period_start, period_end) not between 364 and 365
        ) as bad_fiscal_year
    from labelled
    where period_start <= period_end or period_start is null  -- no dates: the label fits no type
),

-- a period whose label does not fit is reported once; its other period rules are moot
checkable as (
    select * from expected where label_kind is not null and not bad_fiscal_year
)

select
    source_file,
    source_line,
    'period_end',
    'period_start_before_end',
    format('period ends ({}) before it starts ({})', period_end, period_start)
from stage_facts
where period_start > period_end
union all
select
    source_file,
    source_line,
    'period_end',
    'fiscal_year_dates',
    format('{} must end in {} and span one year, not {} to {}', period_label, period_label[3:], period_start, period_end)
from expected
where bad_fiscal_year
union all
select
    source_file,
    source_line,
    'period_label',
    'period_label_matches_type',
    format('label ''{}'' is not a {} label', period_label, period_type)
from expected
where label_kind is null
union all
select
    source_file,
    source_line,
    'period_start',
    'period_dates_match_label',
    format('{} runs {} to {}, not {} to {}', period_label, expected_start, expected_end, period_start, period_end)
from checkable
where
    expected_start is not null
    and period_type != 'year_to_date'
    and (period_start, period_end) != (expected_start, expected_end)
union all
select
    source_file,
    source_line,
    'period_start',
    'period_dates_match_label',
    format('{} runs from {} to a day of {}, not {} to {}', period_label, expected_start, year(expected_start), period_start, period_end)
from checkable
where period_type = 'year_to_date' and (period_start != expected_start or year(period_end) != year(expected_start))
union all
select
    source_file,
    source_line,
    'period_text',
    'known_relative_period',
    format('''{}'' is not one of [''last year'', ''next year'', ''this year'']', period_text)
from checkable
where period_basis = 'relative' and year_offset is null
union all
select
    source_file,
    source_line,
    'period_label',
    'relative_period_resolves',
    format(
        '''{}'' in a document whose reference year is {} means {}, not {}',
        period_text,
        reference_year,
        reference_year + year_offset,
        case when period_type = 'fiscal_year' then year(period_end) else year(period_start) end
    )
from checkable
where
    period_basis = 'relative'
    and reference_year + year_offset
    != case when period_type = 'fiscal_year' then year(period_end) else year(period_start) end
union all
select
    source_file,
    source_line,
    'period_text',
    'period_text_in_evidence',
    format('''{}'' is not in the evidence sentence', period_text)
from checkable
where period_basis = 'relative' and not contains(evidence, period_text)
;
-- Facts: values. Currencies are ISO 4217 codes; amounts and counts are not negative; shares lie
-- within their whole; the value is the figure as written, in digits or in words (a rank's and a
-- count's range is in the fact schema). A figure without digits is held to the numbers its words
-- spell: each word as a number ('eighth' = 8, 'ninefold' = 9) or a fraction ('an eighth' = 0.125),
-- tens and units ('twenty-five'), hundreds ('two hundred') and fractions of a count ('two thirds').
-- Scale words ('a billion') are the scale, not the value.
with spelled as (
    select
        *,
        list_transform(
            words,
            lambda word: map {
                'zero': 0.0, 'one': 1, 'two': 2, 'three': 3, 'four': 4, 'five': 5, 'six': 6, 'seven': 7, 'eight': 8, 'nine': 9,
                'ten': 10, 'eleven': 11, 'twelve': 12, 'thirteen': 13, 'fourteen': 14, 'fifteen': 15, 'sixteen': 16,
                'seventeen': 17, 'eighteen': 18, 'nineteen': 19, 'twenty': 20, 'thirty': 30, 'forty': 40, 'fifty': 50,
                'sixty': 60, 'seventy': 70, 'eighty': 80, 'ninety': 90, 'hundred': 100, 'dozen': 12, 'twice': 2,
                'double': 2, 'triple': 3, 'quadruple': 4, 'first': 1, 'second': 2, 'third': 3, 'fourth': 4, 'fifth': 5,
                'sixth': 6, 'seventh': 7, 'eighth': 8, 'ninth': 9, 'tenth': 10, 'eleventh': 11, 'twelfth': 12,
                'twentieth': 20, 'hundredth': 100
            }[if(suffix(word, 'fold'), word[1:-5], word)]
        ) as numbers,
        list_transform(
            words,
            lambda word: map {
                'half': 0.5, 'halves': 0.5, 'third': 1 / 3, 'thirds': 1 / 3, 'quarter': 0.25, 'quarters': 0.25,
                'fourth': 0.25, 'fourths': 0.25, 'fifth': 0.2, 'fifths': 0.2, 'sixth': 1 / 6, 'sixths': 1 / 6,
                'seventh': 1 / 7, 'eighth': 0.125, 'eighths': 0.125, 'ninth': 1 / 9, 'tenth': 0.1, 'tenths': 0.1
            }[word]
        ) as fractions
    from (
        select
            *,
            case when not regexp_matches(figure, '[0-9]') then regexp_extract_all(lower(figure), '[a-z]+') end as words
        from stage_facts
    )
),

valued as (
    select
        *,
        unit in (select currency_code from src_currencies) as is_currency,
        nullif(regexp_extract(figure, '[0-9][0-9,]*(?:\.[0-9]+)?'), '') as written,
        list_concat(
            list_filter(numbers, lambda n: n is not null),
            list_filter(fractions, lambda n: n is not null),
            list_filter(
                list_transform(
                    range(1, coalesce(len(numbers), 0)),
                    lambda i: case
                        when numbers[i] between 20 and 90 and numbers[i] % 10 = 0 and numbers[i + 1] between 1 and 9
                            then numbers[i] + numbers[i + 1]
                        when numbers[i] between 1 and 99 and numbers[i + 1] = 100 then numbers[i] * 100
                        when numbers[i] = floor(numbers[i]) and fractions[i + 1] is not null then numbers[i] * fractions[i + 1]
                    end
                ),
                lambda n: n is not null
            )
        ) as word_numbers
    from spelled
)

select
    source_file,
    source_line,
    'unit',
    'known_currency',
    format(
        '''{}'' is neither an ISO 4217 currency code nor one of [''count'', ''event'', ''percent'', ''rank'', ''ratio'', ''year'']',
        unit
    )
from valued
where not is_currency and unit not in ('count', 'percent', 'ratio', 'rank', 'year', 'event')
union all
select source_file, source_line, 'value', 'non_negative_amount', format('{} figure {} is negative', unit, value)
from valued
where (is_currency or unit = 'count') and value < 0
union all
select source_file, source_line, 'value', 'share_within_0_1', format('share {} {} is outside 0..1 of its whole', value, unit)
from valued
where metric = 'share' and value * (case when unit = 'percent' then 0.01 else 1 end) not between 0 and 1
union all
select
    source_file,
    source_line,
    'value',
    'value_matches_figure',
    format('value {} differs from the figure as written (''{}'')', value, figure)
from valued
where written is not null and unit != 'event' and abs(replace(written, ',', '')::double - value) > 1e-9
union all
-- a fraction in words is matched to two decimals, and a percentage also as a fraction ('half' = 50%)
select
    source_file,
    source_line,
    'value',
    'value_matches_figure',
    format('value {} is none of the numbers the figure spells (''{}'': {})', value, figure, array_to_string(word_numbers, ', '))
from valued
where
    len(word_numbers) > 0
    and unit != 'event'
    and not list_bool_or(
        list_transform(
            word_numbers,
            lambda n: abs(value - n) <= if(n = floor(n), 1e-9, 0.005)
            or (unit = 'percent' and abs(value / 100 - n) <= if(n = floor(n), 1e-9, 0.005))
        )
    )
;
-- Facts: links. part_of and derived_from name other facts; a derivation has as many inputs as its
-- arithmetic takes (or none, when the audit expects the claim to be unverifiable): a sum or a share
-- any number from two, a growth its current figure and its base or the current figure alone. A
-- growth compares two periods of the same length (whole months, else days).
with links as (
    select source_file, source_line, fact_id, 'part_of' as field, part_of as other
    from stage_facts
    where part_of is not null
    union all
    select source_file, source_line, fact_id, 'derived_from', unnest(derived_from)
    from stage_facts
),

spans as (
    select
        fact_id,
        period_label,
        case
            when day(period_start) = 1 and day(period_end + 1) = 1 then date_diff('month', period_start, period_end + 1) || ' months'
            else date_diff('day', period_start, period_end) + 1 || ' days'
        end as span
    from stage_facts
    where fact_id in (select unnest(derived_from) from stage_facts where derivation = 'growth')
    qualify row_number() over (partition by fact_id order by source_file, source_line) = 1
)

select
    source_file,
    source_line,
    field,
    case when other = fact_id then 'no_self_reference' else 'known_fact_id' end,
    case when other = fact_id then 'a fact cannot refer to itself' else format('''{}'' is not a fact id', other) end
from links
where other = fact_id or other not in (select fact_id from stage_facts)
union all
select
    source_file,
    source_line,
    'derived_from',
    'derivation_inputs',
    format(
        'a {} claim takes {} input fact(s), not {} (or none, when the audit expects it to be unverifiable)',
        derivation,
        case when fewest = most then fewest::varchar when most is null then fewest || ' or more' else fewest || ' or ' || most end,
        inputs
    )
from (
    select
        *,
        coalesce(len(derived_from), 0) as inputs,
        case when derivation in ('share', 'multiple', 'sum') then 2 else 1 end as fewest,
        case when derivation in ('growth', 'multiple') then 2 when derivation in ('fx_equivalent', 'lower_bound') then 1 end as most
    from stage_facts
    where derivation is not null
)
where (inputs < fewest or inputs > most) and not (inputs = 0 and audit_expected_status = 'unverifiable')
union all
select
    claim.source_file,
    claim.source_line,
    'derived_from',
    'growth_same_period_length',
    format(
        'a growth compares periods of the same length: {} ({}) spans {}, {} ({}) spans {}',
        current.fact_id,
        current.period_label,
        current.span,
        base.fact_id,
        base.period_label,
        base.span
    )
from stage_facts as claim
inner join spans as current on claim.derived_from[1] = current.fact_id
inner join spans as base on claim.derived_from[2] = base.fact_id
where claim.derivation = 'growth' and len(claim.derived_from) = 2 and current.span != base.span
;
-- Facts: parts within wholes. Parts share their whole's unit, and the parts of a whole add up to
-- no more than it. An 'at least' whole is no ceiling; parts that are upper bounds set no floor.
with amounts as (
    select
        *,
        value * case scale
            when 'thousand' then 1e3 when 'million' then 1e6 when 'billion' then 1e9 when 'trillion' then 1e12 else 1
        end as amount
    from stage_facts
),

wholes as (
    select * from amounts
    where fact_id in (select part_of from stage_facts)
    qualify row_number() over (partition by fact_id order by source_file, source_line) = 1
),

parts as (
    select
        part.*,
        part.unit != whole.unit as unit_differs,
        whole.unit as whole_unit
    from amounts as part
    inner join wholes as whole on part.part_of = whole.fact_id
    where part.value is not null
),

sums as (
    select
        part_of,
        bool_or(unit_differs) as any_unit_differs,
        sum(amount) filter (where qualifier not in ('at_most', 'less_than')) as total,
        string_agg(fact_id, ', ' order by source_file, source_line) filter (
            where qualifier not in ('at_most', 'less_than')
        ) as names
    from parts
    group by part_of
)

select
    source_file,
    source_line,
    'unit',
    'part_unit_matches_whole',
    format('part in {} of a whole in {}', unit, whole_unit)
from parts
where unit_differs
union all
select
    whole.source_file,
    whole.source_line,
    'value',
    'parts_within_whole',
    format(
        'its parts ({}) add up to {:,.0f} {}, more than this whole of {:,.0f} {}',
        sums.names,
        sums.total,
        whole.unit,
        whole.amount,
        whole.unit
    )
from sums
inner join wholes as whole on sums.part_of = whole.fact_id
where
    not sums.any_unit_differs
    and whole.value is not null
    and whole.qualifier not in ('at_least', 'more_than')
    and sums.total > whole.amount * (1 + 1e-9)
;
-- Exclusions: each is in its document's file, and its context and text stand in the document.
with checked as (
    select
        e.*,
        t.document_id is not null as has_text,
        parse_filename(e.source_file, true) as file_document_id,
        contains(t.content, e.context) as context_found
    from stage_exclusions as e
    left join src_texts as t on e.document_id = t.document_id
)

select source_file, source_line, 'document_id', 'known_document_id', format('''{}'' has no document text', document_id)
from checked
where not has_text
union all
select
    source_file,
    source_line,
    'document_id',
    'document_matches_file',
    format('an exclusion of ''{}'' is in the file of ''{}''', document_id, file_document_id)
from checked
where has_text and file_document_id != document_id
union all
select
    source_file,
    source_line,
    'context',
    'context_in_document',
    format('context ''{}'' is not found verbatim in document {}', context, document_id)
from checked
where has_text and not context_found
union all
select source_file, source_line, 'text', 'text_in_context', format('''{}'' is not in its context', excluded_text)
from checked
where has_text and not contains(context, excluded_text)
;
-- Measures and providers (reference/measures.csv, reference/providers.csv): a known kind of unit,
-- additivity true or false, a parent that is itself a measure. (A reference list's rows keep the
-- file's order, so the CSV's line is rowid + 2: the header is line 1.)
select
    'reference/measures.csv',
    rowid + 2,
    'unit_kind',
    'known_unit_kind',
    format('''{}'' is not one of [''amount'', ''count'', ''event'', ''rank'', ''rate'', ''ratio'', ''year'']', unit_kind)
from src_measures
where unit_kind is null or unit_kind not in ('amount', 'count', 'rate', 'ratio', 'rank', 'year', 'event')
union all
select
    'reference/measures.csv',
    rowid + 2,
    'is_additive',
    'additivity_stated',
    format('is_additive is ''{}'', not true or false', is_additive)
from src_measures
where is_additive is null or is_additive not in ('true', 'false')
union all
select
    'reference/measures.csv',
    rowid + 2,
    'parent_measure',
    'known_parent_measure',
    format('''{}'' is not a measure of reference/measures.csv (or is the measure itself)', parent_measure)
from src_measures
where parent_measure = measure or parent_measure not in (select measure from src_measures)
union all
select
    'reference/providers.csv',
    rowid + 2,
    'kind',
    'known_provider_kind',
    format(
        '''{}'' is not one of [''analyst'', ''company'', ''data_vendor'', ''government'', ''investor'', ''research_institute'', ''statistics'']',
        kind
    )
from src_providers
where kind is null or kind not in ('data_vendor', 'research_institute', 'investor', 'analyst', 'government', 'company', 'statistics')
;
-- Every reference list (reference/*.csv): each id once, and each region's name once (the charts
-- and the marts name a region by either).
with listed as (
    select 'reference/metrics.csv' as source_file, rowid, 'metric' as field, 'unique_metric' as rule, 'metric' as what, metric as id
    from src_metrics
    union all
    select 'reference/regions.csv', rowid, 'region_code', 'unique_region', 'region', region_code
    from src_regions
    union all
    select 'reference/regions.csv', rowid, 'region_name', 'unique_region_name', 'region name', region_name
    from src_regions
    union all
    select 'reference/currencies.csv', rowid, 'currency_code', 'unique_currency', 'currency', currency_code
    from src_currencies
    union all
    select 'reference/measures.csv', rowid, 'measure', 'unique_measure', 'measure', measure
    from src_measures
    union all
    select 'reference/providers.csv', rowid, 'data_provider', 'unique_data_provider', 'provider', data_provider
    from src_providers
)

select source_file, rowid + 2, field, rule, format('{} ''{}'' is listed twice', what, id)
from listed
qualify row_number() over (partition by source_file, field, id order by rowid) > 1
;
-- Facts: what they measure. Measures and providers come from the reference lists; every amount and
-- count (but a derived share, growth, multiple or currency equivalent) names both, itself or by its
-- manifest entry's default (stage_fact_meanings), and its measure counts the metric's kind of value.
select source_file, source_line, 'measure', 'known_measure', format('''{}'' is not in reference/measures.csv', measure)
from stage_facts
where measure not in (select measure from src_measures)
union all
select
    source_file,
    source_line,
    'data_provider',
    'known_data_provider',
    format('''{}'' is not in reference/providers.csv', data_provider)
from stage_facts
where data_provider not in (select data_provider from src_providers)
union all
select
    source_file,
    source_line,
    'default_measure',
    'known_measure',
    format('''{}'' is not in reference/measures.csv', default_measure)
from stage_manifest
where default_measure not in (select measure from src_measures)
union all
select
    source_file,
    source_line,
    'default_data_provider',
    'known_data_provider',
    format('''{}'' is not in reference/providers.csv', default_data_provider)
from stage_manifest
where default_data_provider not in (select data_provider from src_providers)
union all
select
    source_file,
    source_line,
    if(meant_measure is null, 'measure', 'data_provider'),
    'measure_named',
    format(
        'a {} figure ({}) must say what it measures and who compiled it: give {} (from reference/{}.csv), or the manifest entry''s default_{}',
        metric,
        value_kind,
        if(meant_measure is null, 'measure', 'data_provider'),
        if(meant_measure is null, 'measures', 'providers'),
        if(meant_measure is null, 'measure', 'data_provider')
    )
from stage_fact_meanings
where must_name_measure and (meant_measure is null or meant_data_provider is null)
union all
select
    f.source_file,
    f.source_line,
    'measure',
    'measure_unit_matches_metric',
    format(
        'measure ''{}''{} counts {} values, but metric ''{}'' is a {}',
        f.meant_measure,
        if(f.measure_by_default, ' (the manifest entry''s default_measure)', ''),
        m.unit_kind,
        f.metric,
        f.value_kind
    )
from stage_fact_meanings as f
inner join src_measures as m on f.meant_measure = m.measure
where m.unit_kind != f.value_kind
;
-- Facts: a derived claim compares like with like. Its inputs have one measure and one provider,
-- unless compares_across names what deliberately differs (a child's share of its parent measure).
-- A currency equivalent restates one amount, whatever it measures: as an input it means what that
-- amount means.
with meanings as (
    select
        f.fact_id,
        if(f.derivation = 'fx_equivalent', restated.meant_measure, f.meant_measure) as meant_measure,
        if(f.derivation = 'fx_equivalent', restated.meant_data_provider, f.meant_data_provider) as meant_data_provider
    from stage_fact_meanings as f
    left join stage_fact_meanings as restated on f.derivation = 'fx_equivalent' and f.derived_from[1] = restated.fact_id
    -- an id given twice is unique_fact_id's to report: its first use is the input
    qualify
        row_number() over (partition by f.fact_id order by f.source_file, f.source_line, restated.source_file, restated.source_line)
        = 1
),

inputs as (
    select
        claim.source_file,
        claim.source_line,
        coalesce(claim.compares_across, []) as compares_across,
        input.fact_id as input_fact_id,
        coalesce(input.meant_measure, '(none)') as measure,
        coalesce(input.meant_data_provider, '(none)') as data_provider
    from (
        select source_file, source_line, compares_across, unnest(derived_from) as input_fact_id
        from stage_facts
        where derivation is not null and derivation != 'fx_equivalent'
    ) as claim
    inner join meanings as input on claim.input_fact_id = input.fact_id
),

claims as (
    select
        source_file,
        source_line,
        any_value(compares_across) as compares_across,
        count(distinct measure) > 1 as measures_differ,
        count(distinct data_provider) > 1 as providers_differ,
        string_agg(input_fact_id || ': ' || measure || ' by ' || data_provider, '; ' order by input_fact_id) as described
    from inputs
    group by source_file, source_line
)

select
    source_file,
    source_line,
    'compares_across',
    'derivation_same_definition',
    format(
        'its inputs differ in {} ({}); a claim that compares different definitions says so with "compares_across": {}',
        concat_ws(' and ', if(measures_differ, 'measure', null), if(providers_differ, 'data_provider', null)),
        described,
        to_json(list_filter(['measure', 'data_provider'], lambda x: if(x = 'measure', measures_differ, providers_differ)))
    )
from claims
where
    (measures_differ and not list_contains(compares_across, 'measure'))
    or (providers_differ and not list_contains(compares_across, 'data_provider'))
;
-- Facts: one figure per measure, provider, subject, region and period. Two documents stating it
-- agree within their stated precision (half a unit in each figure's last written place, summed; a
-- figure in words, 5%), or one is marked as the revision of the other. A revision names a fact of
-- another document.
with stated as (
    select
        *,
        value * case scale
            when 'thousand' then 1e3 when 'million' then 1e6 when 'billion' then 1e9 when 'trillion' then 1e12 else 1
        end as amount,
        nullif(regexp_extract(figure, '[0-9][0-9,]*(?:\.[0-9]+)?'), '') as written
    from stage_fact_meanings
    where meant_measure is not null and meant_data_provider is not null and value is not null
),

precise as (
    select
        *,
        case
            when written is null then 0.05 * abs(amount)
            else 0.5 * pow(10, -length(coalesce(regexp_extract(written, '\.([0-9]+)', 1), ''))) * (amount / nullif(value, 0))
        end as half_unit
    from stated
),

-- only figures whose group holds two that cannot both be right are paired: a group's intervals
-- (value +- its half unit) all overlap when the largest lower end is at most the smallest upper
-- end, so a corpus of agreeing figures costs one pass, not a pair per two documents
disputed as (
    select * from precise
    window key_group as (partition by meant_measure, meant_data_provider, subject, region, period_type, period_label, unit)
    qualify
        max(amount - coalesce(half_unit, 0) * (1 + 1e-9)) over key_group
        > min(amount + coalesce(half_unit, 0) * (1 + 1e-9)) over key_group
),

pairs as (
    select
        later.source_file,
        later.source_line,
        later.figure,
        earlier.fact_id as other_fact_id,
        earlier.document_id as other_document_id,
        earlier.figure as other_figure,
        abs(later.amount - earlier.amount) as difference,
        coalesce(later.half_unit, 0) + coalesce(earlier.half_unit, 0) as tolerance
    from disputed as later
    inner join disputed as earlier
        on
            later.meant_measure = earlier.meant_measure
            and later.meant_data_provider = earlier.meant_data_provider
            and later.subject = earlier.subject
            and later.region = earlier.region
            and later.period_type = earlier.period_type
            and later.period_label = earlier.period_label
            and later.unit = earlier.unit
            and later.document_id > earlier.document_id
    where
        later.revision_of is distinct from earlier.fact_id
        and earlier.revision_of is distinct from later.fact_id
)

select
    source_file,
    source_line,
    'value',
    'agrees_across_documents',
    format(
        '{} differs from {} (fact {} of document {}) by more than their stated precision, for the same measure, provider, subject, region and period; if one revises the other, give it revision_of and revision_reason',
        figure,
        other_figure,
        other_fact_id,
        other_document_id
    )
from pairs
where difference > tolerance * (1 + 1e-9)
union all
select
    f.source_file,
    f.source_line,
    'revision_of',
    'revision_of_other_document',
    if(
        revised.fact_id is null,
        format('''{}'' is not a fact id', f.revision_of),
        format('''{}'' is a fact of this same document; a revision revises another document''s figure', f.revision_of)
    )
from stage_facts as f
left join stage_facts as revised on f.revision_of = revised.fact_id
where f.revision_of is not null and (revised.fact_id is null or revised.document_id = f.document_id)
;
-- Review: a line `ai-market-ledger draft` wrote is refused until a curator has confirmed it and
-- deleted its marker, so nothing unconfirmed is ever published. (On the lines as read: the marker
-- has no column in the stage tables.)
select
    source_file,
    line_number,
    'review',
    'reviewed',
    'still marked "review": "draft": check every field against the text, then delete "review" and "review_note"'
from (
    select source_file, line_number, line from src_manifest
    union all
    select source_file, line_number, line from src_facts
    union all
    select source_file, line_number, line from src_exclusions
)
where contains(line, '"review"') and json_exists(line, '$.review')
