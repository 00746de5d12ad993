//! What a GraphQL document costs, measured before it is validated or run, so that a client is
//! charged for it (and refused) before any of it runs.
//!
//! The measure is linear in the document's size: each fragment is costed once and reused at
//! every spread, and counting stops as soon as a limit is passed. The cost counts what the
//! server computes, not only what the answer shows: every list field carries the largest length
//! it can have ([`LIST_BOUNDS`], or the connection's `first` and the records there are); a
//! connection also costs every record it reads, filters, sorts and counts ([`CONNECTIONS`]),
//! whether the query selects its `edges`, its `totalCount` or neither; a field that derives a
//! council's status, or every council's, costs that work ([`FIELD_COSTS`]); introspection lists
//! hold what the schema holds (its types, their fields, arguments, values), measured from the
//! schema itself.

use std::collections::HashMap;

use async_graphql::Variables;
use async_graphql::parser::types::{
    BaseType, DirectiveDefinition, ExecutableDocument, Selection, SelectionSet, ServiceDocument, TypeDefinition,
    TypeKind, TypeSystemDefinition,
};
use async_graphql::{Name, Value};

/// Deepest nesting of `{`, `[` and `(` in the query text: checked before the parser runs, so a
/// deeply nested argument cannot exhaust the parser's stack.
pub const MAX_NESTING: usize = 48;
/// Deepest selection nesting accepted.
pub const MAX_DEPTH: usize = 16;
/// Largest complexity accepted: each field costs 1, and a list multiplies its selection by the
/// most items it can hold.
pub const MAX_COMPLEXITY: usize = 25_000;
/// Most fields after fragments are expanded (bounds the work of validating the document).
pub const MAX_FIELDS: usize = 2_000;
/// Most fields (aliases included) at the root of an operation.
pub const MAX_ROOT_FIELDS: usize = 32;
/// Most fragment spreads written in a document.
pub const MAX_FRAGMENT_SPREADS: usize = 100;
/// Most nested introspection lists (`fields`, `interfaces`, `possibleTypes`, `inputFields`) on
/// one path: GraphiQL needs one; `fields { type { fields … } }` recursion is refused.
pub const MAX_INTROSPECTION_LISTS: usize = 2;

/// The most items a list can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// At most this many for each parent.
    Each(usize),
    /// At most this many in the whole answer, however many parents hold them (every council
    /// sits in one cell of the rating statistics).
    Total(usize),
}

/// The bound of each list field that is not a paged connection. A test checks that every list
/// field of the schema is here and that the bundled data stays within.
pub const LIST_BOUNDS: &[(&str, &str, Bound)] = &[
    ("LocalAuthority", "formerGssCodes", Bound::Each(5)),
    ("LocalAuthority", "formerCodes", Bound::Each(5)),
    ("LocalAuthority", "activeInterventions", Bound::Each(10)),
    // DfE lists ten for each council.
    ("LocalAuthority", "statisticalNeighbours", Bound::Each(10)),
    ("LocalAuthority", "predecessors", Bound::Each(5)),
    ("LocalAuthority", "successors", Bound::Each(5)),
    ("LaStatus", "latestGrades", Bound::Each(JUDGEMENTS)),
    ("FailureTest", "inspections", Bound::Each(10)),
    ("Inspection", "leadInspectors", Bound::Each(5)),
    // The largest team a visit letter names is six (the COVID-19 visits of 2021).
    ("Inspection", "inspectors", Bound::Each(10)),
    ("Inspection", "judgements", Bound::Each(JUDGEMENTS)),
    // Up to three sheets of each of three editions, and the scraper's row.
    ("Inspection", "statements", Bound::Each(12)),
    ("Inspection", "discrepancies", Bound::Each(40)),
    ("InspectionStatement", "judgements", Bound::Each(JUDGEMENTS)),
    ("Intervention", "sourceUrls", Bound::Each(20)),
    ("Intervention", "corroborations", Bound::Each(20)),
    ("Intervention", "discrepancies", Bound::Each(20)),
    ("Intervention", "seeAlso", Bound::Each(20)),
    // The status rule cites at most two records or documents.
    ("Intervention", "statusEvidence", Bound::Each(2)),
    ("Corroboration", "sourceUrls", Bound::Each(20)),
    ("Meta", "sources", Bound::Each(20)),
    ("RatingStats", "groups", Bound::Each(12)),
    ("RatingGroup", "grades", Bound::Each(8)),
    // Reached only through the root field `ratingStats`, so no list above multiplies it.
    ("GradeCount", "localAuthorities", Bound::Total(MAX_COUNCILS)),
    ("RatingGroup", "notYetInspected", Bound::Total(MAX_COUNCILS)),
    // The catalogue holds 18; room for it to grow.
    ("QueryRoot", "indicators", Bound::Each(MAX_INDICATORS)),
    ("LocalAuthority", "indicators", Bound::Each(MAX_INDICATORS)),
    // Periods: 2013 onwards, one a year.
    ("Indicator", "periods", Bound::Each(MAX_PERIODS)),
    ("IndicatorSeries", "points", Bound::Each(MAX_PERIODS)),
];

/// What reading one council costs beyond comparing fields: its status on the day (its latest
/// graded inspection, interventions in force, the DfE failure tests), measured in fields
/// resolved (`cargo bench -p api --bench query -- graphql_cost`, docs/benchmarks.md).
pub const STATUS: usize = 4;

/// The records a resolver reads (see [`CONNECTIONS`] and [`FIELD_COSTS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Records {
    /// One council.
    OneCouncil,
    /// Every council, current and retired.
    Councils,
    /// Every inspection and visit.
    Inspections,
    /// Every intervention.
    Interventions,
    /// One council's inspections and visits.
    InspectionsOfOneCouncil,
    /// One council's interventions.
    InterventionsOfOneCouncil,
    /// One council's story: its inspections, the start and end of each intervention, its figures.
    TimelineOfOneCouncil,
}

/// Every connection of the schema, the records it reads, filters, sorts and counts before it
/// pages (whatever the query selects of it: `totalCount` alone costs them all), and what one
/// record costs. A test checks that every connection is here. The records are also the most a
/// page can hold: `first: 500` over 158 councils pages 158.
pub const CONNECTIONS: &[(&str, &str, Records, usize)] = &[
    ("QueryRoot", "localAuthorities", Records::Councils, STATUS),
    ("QueryRoot", "inspections", Records::Inspections, 1),
    ("QueryRoot", "interventions", Records::Interventions, 1),
    ("LocalAuthority", "inspections", Records::InspectionsOfOneCouncil, 1),
    ("LocalAuthority", "interventions", Records::InterventionsOfOneCouncil, 1),
    ("LocalAuthority", "timeline", Records::TimelineOfOneCouncil, 1),
    // Every council's figure in the period, with the council's status on the day.
    ("Indicator", "values", Records::Councils, STATUS),
];

/// Other fields that read records before they answer: `ratingStats` derives every council's
/// status, and a council's latest inspection, interventions in force and status need its own
/// (derived once for a council however many of them are selected, counted for each).
pub const FIELD_COSTS: &[(&str, &str, Records, usize)] = &[
    ("QueryRoot", "ratingStats", Records::Councils, STATUS),
    ("LocalAuthority", "latestInspection", Records::OneCouncil, STATUS),
    ("LocalAuthority", "activeInterventions", Records::OneCouncil, STATUS),
    ("LocalAuthority", "status", Records::OneCouncil, STATUS),
];

/// How many records of each kind the snapshot being queried holds, to bound [`Records`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordCounts {
    /// Councils, current and retired.
    pub councils: usize,
    /// Inspections and visits.
    pub inspections: usize,
    /// Interventions.
    pub interventions: usize,
    /// The most inspections and visits of one council.
    pub inspections_of_one_council: usize,
    /// The most interventions of one council.
    pub interventions_of_one_council: usize,
    /// The most figures of one council.
    pub figures_of_one_council: usize,
}

impl RecordCounts {
    /// The counts of `dataset`.
    pub fn of(dataset: &schema::Dataset) -> RecordCounts {
        let most = dataset.most_of_one_council();
        RecordCounts {
            councils: dataset.counts.local_authorities,
            inspections: dataset.counts.inspections,
            interventions: dataset.counts.interventions,
            inspections_of_one_council: most.inspections,
            interventions_of_one_council: most.interventions,
            figures_of_one_council: most.figures,
        }
    }

    fn of_kind(&self, records: Records) -> usize {
        match records {
            Records::OneCouncil => 1,
            Records::Councils => self.councils,
            Records::Inspections => self.inspections,
            Records::Interventions => self.interventions,
            Records::InspectionsOfOneCouncil => self.inspections_of_one_council,
            Records::InterventionsOfOneCouncil => self.interventions_of_one_council,
            Records::TimelineOfOneCouncil => self
                .inspections_of_one_council
                .saturating_add(self.interventions_of_one_council.saturating_mul(2))
                .saturating_add(self.figures_of_one_council),
        }
    }
}

/// Most indicators the catalogue may hold for the cost model.
pub const MAX_INDICATORS: usize = 40;
/// Most periods of one indicator for the cost model.
pub const MAX_PERIODS: usize = 40;

/// More councils than England has ever had at once, current and retired.
pub const MAX_COUNCILS: usize = 200;

/// The most judgements one inspection can have: a pre-SIF inspection of safeguarding and looked
/// after children services has eleven (six for safeguarding, five for looked after children),
/// more than any other framework (the SIF has seven).
const JUDGEMENTS: usize = 11;

/// Introspection list fields counted by [`MAX_INTROSPECTION_LISTS`].
const INTROSPECTION_LISTS: &[&str] = &["fields", "interfaces", "possibleTypes", "inputFields"];

/// Why a document is refused before it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Brackets nested deeper than [`MAX_NESTING`].
    TooNested,
    /// Selections nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// Complexity over [`MAX_COMPLEXITY`], or another bound on the work passed.
    TooComplex(String),
}

/// What a document costs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cost {
    /// Fields weighted by the lists that hold them.
    pub complexity: usize,
    /// The part of `complexity` under [`Bound::Total`] lists, which lists above do not multiply.
    fixed: usize,
    /// Deepest selection nesting.
    pub depth: usize,
    /// Fields after fragments are expanded.
    pub fields: usize,
}

impl Cost {
    fn add(self, other: Cost) -> Cost {
        Cost {
            complexity: self.complexity.saturating_add(other.complexity),
            fixed: self.fixed.saturating_add(other.fixed),
            depth: self.depth.max(other.depth),
            fields: self.fields.saturating_add(other.fields),
        }
    }
}

/// Refuses text nested deeper than [`MAX_NESTING`], skipping strings and comments.
pub fn check_nesting(text: &str) -> Result<(), Refusal> {
    let bytes = text.as_bytes();
    let (mut depth, mut i) = (0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") { 4 } else { 1 };
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' | b'[' | b'(' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(Refusal::TooNested);
                }
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// How a field's result is shaped.
#[derive(Debug, Clone)]
struct FieldShape {
    /// The named type it returns (lists and non-null unwrapped).
    returns: String,
    /// Whether it returns a list.
    list: bool,
}

/// The schema's types, as far as costing needs them.
#[derive(Debug, Default)]
pub struct CostModel {
    fields: HashMap<String, HashMap<String, FieldShape>>,
    root: String,
    /// What each introspection list holds: `(type, field)` to the items in the whole schema and
    /// the most one parent holds.
    introspection: HashMap<(&'static str, &'static str), Holds>,
}

/// How many items an introspection list holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Holds {
    /// In the whole schema (every type's fields, say).
    total: usize,
    /// For one parent (the type with the most fields).
    each: usize,
}

impl Holds {
    fn add(&mut self, items: usize) {
        self.total += items;
        self.each = self.each.max(items);
    }
}

/// Introspection as the GraphQL specification defines it, with the built-in scalars and
/// directives (not part of the exported SDL).
const INTROSPECTION_SDL: &str = r#"
scalar String scalar Int scalar Float scalar Boolean scalar ID
enum __TypeKind { SCALAR OBJECT INTERFACE UNION ENUM INPUT_OBJECT LIST NON_NULL }
enum __DirectiveLocation { QUERY MUTATION SUBSCRIPTION FIELD FRAGMENT_DEFINITION FRAGMENT_SPREAD
  INLINE_FRAGMENT VARIABLE_DEFINITION SCHEMA SCALAR OBJECT FIELD_DEFINITION ARGUMENT_DEFINITION
  INTERFACE UNION ENUM ENUM_VALUE INPUT_OBJECT INPUT_FIELD_DEFINITION }
directive @include(if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT
directive @skip(if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT
directive @deprecated(reason: String) on FIELD_DEFINITION | ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION | ENUM_VALUE
directive @specifiedBy(url: String!) on SCALAR
directive @oneOf on INPUT_OBJECT
type __Schema { description: String types: [__Type!]! queryType: __Type! mutationType: __Type
  subscriptionType: __Type directives: [__Directive!]! }
type __Type { kind: __TypeKind! name: String description: String specifiedByURL: String
  fields(includeDeprecated: Boolean): [__Field!] interfaces: [__Type!] possibleTypes: [__Type!]
  enumValues(includeDeprecated: Boolean): [__EnumValue!] inputFields(includeDeprecated: Boolean): [__InputValue!]
  ofType: __Type isOneOf: Boolean }
type __Field { name: String! description: String args(includeDeprecated: Boolean): [__InputValue!]! type: __Type!
  isDeprecated: Boolean! deprecationReason: String }
type __InputValue { name: String! description: String type: __Type! defaultValue: String
  isDeprecated: Boolean! deprecationReason: String }
type __EnumValue { name: String! description: String isDeprecated: Boolean! deprecationReason: String }
type __Directive { name: String! description: String locations: [__DirectiveLocation!]!
  args(includeDeprecated: Boolean): [__InputValue!]! isRepeatable: Boolean! }
"#;

impl CostModel {
    /// The model of a schema given as SDL, with introspection added; `root` names the query type.
    pub fn from_sdl(sdl: &str, root: &str) -> anyhow::Result<CostModel> {
        let mut model = CostModel { root: root.to_owned(), ..CostModel::default() };
        // By name: the SDL prints some built-in directives too.
        let (mut types, mut directives) = (HashMap::new(), HashMap::new());
        for text in [sdl, INTROSPECTION_SDL] {
            let doc: ServiceDocument = async_graphql::parser::parse_schema(text)?;
            for def in doc.definitions {
                match def {
                    TypeSystemDefinition::Type(def) => {
                        types.insert(def.node.name.node.to_string(), def.node);
                    }
                    TypeSystemDefinition::Directive(def) => {
                        directives.insert(def.node.name.node.to_string(), def.node);
                    }
                    TypeSystemDefinition::Schema(_) => {}
                }
            }
        }
        model.introspection = introspection_lists(types.values(), directives.values());
        for (name, def) in &types {
            let fields = match &def.kind {
                TypeKind::Object(object) => &object.fields,
                TypeKind::Interface(interface) => &interface.fields,
                _ => continue,
            };
            let fields_of = model.fields.entry(name.clone()).or_default();
            for field in fields {
                let mut ty = &field.node.ty.node;
                let mut list = false;
                while let BaseType::List(inner) = &ty.base {
                    list = true;
                    ty = inner;
                }
                let BaseType::Named(returns) = &ty.base else { continue };
                fields_of.insert(field.node.name.node.to_string(), FieldShape { returns: returns.to_string(), list });
            }
        }
        let root_fields = model.fields.entry(root.to_owned()).or_default();
        root_fields.insert("__schema".into(), FieldShape { returns: "__Schema".into(), list: false });
        root_fields.insert("__type".into(), FieldShape { returns: "__Type".into(), list: false });
        Ok(model)
    }

    /// List fields with no bound: `(type, field)` pairs that [`LIST_BOUNDS`] should name.
    pub fn unbounded_lists(&self) -> Vec<(String, String)> {
        let mut missing: Vec<(String, String)> = self
            .fields
            .iter()
            .flat_map(|(ty, fields)| fields.iter().map(move |(name, shape)| (ty, name, shape)))
            .filter(|(ty, name, shape)| {
                shape.list
                    && !ty.starts_with("__")
                    && !is_page_list(ty, name)
                    && !LIST_BOUNDS.iter().any(|(t, f, _)| t == ty && f == name)
            })
            .map(|(ty, name, _)| (ty.clone(), name.clone()))
            .collect();
        missing.sort();
        missing
    }

    /// The cost of `doc` with `variables`, or why it is refused. Every operation is costed.
    /// `records` bounds what each connection reads and pages through.
    pub fn cost(
        &self,
        doc: &ExecutableDocument,
        variables: &Variables,
        records: &RecordCounts,
    ) -> Result<Cost, Refusal> {
        let spreads: usize = doc
            .operations
            .iter()
            .map(|(_, op)| count_spreads(&op.node.selection_set.node))
            .chain(doc.fragments.values().map(|f| count_spreads(&f.node.selection_set.node)))
            .sum();
        if spreads > MAX_FRAGMENT_SPREADS {
            return Err(Refusal::TooComplex(format!(
                "the document has {spreads} fragment spreads; the limit is {MAX_FRAGMENT_SPREADS}"
            )));
        }
        let mut total = Cost::default();
        for (_, op) in doc.operations.iter() {
            let roots = op.node.selection_set.node.items.len();
            if roots > MAX_ROOT_FIELDS {
                return Err(Refusal::TooComplex(format!(
                    "the operation selects {roots} root fields; the limit is {MAX_ROOT_FIELDS}"
                )));
            }
            let defaults: HashMap<&Name, Value> = op
                .node
                .variable_definitions
                .iter()
                .filter_map(|v| Some((&v.node.name.node, v.node.default_value.as_ref()?.node.clone())))
                .collect();
            let mut walk = Walk {
                model: self,
                doc,
                variables,
                defaults: &defaults,
                records,
                memo: HashMap::new(),
                visiting: Vec::new(),
            };
            let cost = walk.selection_set(&op.node.selection_set.node, &self.root, Context::default(), 0)?;
            total = total.add(cost);
            check(total)?;
        }
        Ok(total)
    }
}

/// What each introspection list holds in a schema of `types` and `directives`.
fn introspection_lists<'a>(
    types: impl Iterator<Item = &'a TypeDefinition>,
    directives: impl Iterator<Item = &'a DirectiveDefinition>,
) -> HashMap<(&'static str, &'static str), Holds> {
    // Every list, even one this schema leaves empty (it has no interfaces).
    let mut holds: HashMap<(&'static str, &'static str), Holds> = [
        ("__Schema", "types"),
        ("__Schema", "directives"),
        ("__Type", "fields"),
        ("__Type", "interfaces"),
        ("__Type", "possibleTypes"),
        ("__Type", "enumValues"),
        ("__Type", "inputFields"),
        ("__Field", "args"),
        ("__Directive", "args"),
        ("__Directive", "locations"),
    ]
    .into_iter()
    .map(|list| (list, Holds::default()))
    .collect();
    let mut add = |list: (&'static str, &'static str), items: usize| holds.entry(list).or_default().add(items);
    let (mut types_held, mut implementations) = (0, HashMap::<&str, usize>::new());
    for def in types {
        types_held += 1;
        let (fields, implements) = match &def.kind {
            TypeKind::Object(object) => (&object.fields, &object.implements),
            TypeKind::Interface(interface) => (&interface.fields, &interface.implements),
            TypeKind::Union(union) => {
                add(("__Type", "possibleTypes"), union.members.len());
                continue;
            }
            TypeKind::Enum(e) => {
                add(("__Type", "enumValues"), e.values.len());
                continue;
            }
            TypeKind::InputObject(input) => {
                add(("__Type", "inputFields"), input.fields.len());
                continue;
            }
            TypeKind::Scalar => continue,
        };
        add(("__Type", "fields"), fields.len());
        for field in fields {
            add(("__Field", "args"), field.node.arguments.len());
        }
        add(("__Type", "interfaces"), implements.len());
        for interface in implements {
            *implementations.entry(interface.node.as_str()).or_default() += 1;
        }
    }
    for implementors in implementations.into_values() {
        add(("__Type", "possibleTypes"), implementors);
    }
    add(("__Schema", "types"), types_held);
    let mut directives_held = 0;
    for def in directives {
        directives_held += 1;
        add(("__Directive", "args"), def.arguments.len());
        add(("__Directive", "locations"), def.locations.len());
    }
    add(("__Schema", "directives"), directives_held);
    holds
}

/// What `ty.field` reads, and what one record costs, from `table` ([`CONNECTIONS`] or
/// [`FIELD_COSTS`]).
fn reads(table: &[(&str, &str, Records, usize)], ty: &str, field: &str) -> Option<(Records, usize)> {
    table.iter().find(|(t, f, ..)| *t == ty && *f == field).map(|&(_, _, records, per_record)| (records, per_record))
}

/// `edges` and `nodes` of a connection hold at most the connection's `first` items.
fn is_page_list(ty: &str, field: &str) -> bool {
    ty.ends_with("Connection") && (field == "edges" || field == "nodes")
}

fn count_spreads(set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|s| match &s.node {
            Selection::Field(f) => count_spreads(&f.node.selection_set.node),
            Selection::FragmentSpread(_) => 1,
            Selection::InlineFragment(f) => count_spreads(&f.node.selection_set.node),
        })
        .sum()
}

fn check(cost: Cost) -> Result<(), Refusal> {
    if cost.depth > MAX_DEPTH {
        return Err(Refusal::TooDeep);
    }
    if cost.fields > MAX_FIELDS {
        return Err(Refusal::TooComplex(format!(
            "the query selects more than {MAX_FIELDS} fields once its fragments are expanded"
        )));
    }
    if cost.complexity > MAX_COMPLEXITY {
        return Err(Refusal::TooComplex(format!(
            "the query's complexity is over {MAX_COMPLEXITY} (each field costs 1; a list multiplies its \
             selection by the most items it can hold: `first` for connections)"
        )));
    }
    Ok(())
}

/// What a selection's cost depends on besides its text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
struct Context {
    /// The `first` of the connection being selected from.
    page: usize,
    /// Introspection lists already on the path.
    introspection_lists: usize,
    /// Whether the introspection objects selected are each of the schema's once (the types of
    /// `__schema { types }`, their fields, the fields' arguments …), so that a list below holds
    /// at most what the whole schema holds, however many parents share it.
    every_of_schema: bool,
}

struct Walk<'a> {
    model: &'a CostModel,
    doc: &'a ExecutableDocument,
    variables: &'a Variables,
    defaults: &'a HashMap<&'a Name, Value>,
    records: &'a RecordCounts,
    memo: HashMap<(&'a str, Context), Cost>,
    visiting: Vec<&'a str>,
}

impl<'a> Walk<'a> {
    /// The cost of a selection set on `ty`, `level` fields below the root.
    fn selection_set(&mut self, set: &'a SelectionSet, ty: &str, ctx: Context, level: usize) -> Result<Cost, Refusal> {
        let mut total = Cost::default();
        for selection in &set.items {
            let cost = match &selection.node {
                Selection::Field(field) => self.field(&field.node, ty, ctx, level + 1)?,
                Selection::InlineFragment(inline) => {
                    let on = inline.node.type_condition.as_ref().map_or(ty, |c| c.node.on.node.as_str());
                    self.selection_set(&inline.node.selection_set.node, on, ctx, level)?
                }
                Selection::FragmentSpread(spread) => {
                    let cost = self.fragment(spread.node.fragment_name.node.as_str(), ctx, level)?;
                    // Costed once, perhaps at another level: its depth counts from here.
                    if level + cost.depth > MAX_DEPTH {
                        return Err(Refusal::TooDeep);
                    }
                    cost
                }
            };
            total = total.add(cost);
            check(total)?;
        }
        Ok(total)
    }

    fn fragment(&mut self, name: &'a str, ctx: Context, level: usize) -> Result<Cost, Refusal> {
        if let Some(cost) = self.memo.get(&(name, ctx)) {
            return Ok(*cost);
        }
        // Unknown fragments and cycles are left to validation, which names them.
        let Some(fragment) = self.doc.fragments.get(name) else { return Ok(Cost::default()) };
        if self.visiting.contains(&name) {
            return Ok(Cost::default());
        }
        self.visiting.push(name);
        let on = fragment.node.type_condition.node.on.node.as_str();
        let cost = self.selection_set(&fragment.node.selection_set.node, on, ctx, level);
        self.visiting.pop();
        let cost = cost?;
        self.memo.insert((name, ctx), cost);
        Ok(cost)
    }

    fn field(
        &mut self,
        field: &'a async_graphql::parser::types::Field,
        ty: &str,
        ctx: Context,
        level: usize,
    ) -> Result<Cost, Refusal> {
        if level > MAX_DEPTH {
            return Err(Refusal::TooDeep);
        }
        let name = field.name.node.as_str();
        let shape = self.model.fields.get(ty).and_then(|fields| fields.get(name));
        let returns = shape.map_or("", |s| s.returns.as_str());
        let list = shape.is_some_and(|s| s.list);
        let mut child = Context {
            page: 1,
            introspection_lists: ctx.introspection_lists,
            // The items of `__schema { types }` and `directives` are each of the schema's once,
            // and so are the fields, arguments and values listed below them; any single type
            // reached on the way (a field's `type`, an `ofType`, an interface) is any one type.
            every_of_schema: (ty == "__Schema" && list) || (ctx.every_of_schema && returns != "__Type"),
        };
        // What the field reads before it answers, once however many items it holds (a
        // connection also builds its page, selected or not).
        let mut reading: usize = 0;
        if let Some((records, per_record)) = reads(FIELD_COSTS, ty, name) {
            reading = self.records.of_kind(records).saturating_mul(per_record);
        }
        if let Some((records, per_record)) = reads(CONNECTIONS, ty, name) {
            let held = self.records.of_kind(records);
            child.page = self.first(field).unwrap_or(schema::query::MAX_LIMIT).min(held);
            reading = reading.saturating_add(held.saturating_mul(per_record)).saturating_add(child.page);
        } else if let Some(first) = self.first(field) {
            child.page = first;
        }
        let bound: Bound = match shape {
            Some(shape) if shape.list && ty.starts_with("__") => {
                if INTROSPECTION_LISTS.contains(&name) {
                    child.introspection_lists += 1;
                    if child.introspection_lists > MAX_INTROSPECTION_LISTS {
                        return Err(Refusal::TooComplex(format!(
                            "introspection nests `fields`, `interfaces`, `possibleTypes` or `inputFields` \
                             more than {MAX_INTROSPECTION_LISTS} deep"
                        )));
                    }
                }
                let holds = self.model.introspection.get(&(ty, name)).copied().unwrap_or_default();
                if ty == "__Schema" {
                    Bound::Each(holds.total)
                } else if ctx.every_of_schema {
                    Bound::Total(holds.total)
                } else {
                    Bound::Each(holds.each)
                }
            }
            Some(shape) if shape.list && is_page_list(ty, name) => Bound::Each(ctx.page),
            Some(shape) if shape.list => {
                LIST_BOUNDS.iter().find(|(t, f, _)| *t == ty && *f == name).map_or(Bound::Each(MAX_COMPLEXITY), |b| b.2)
            }
            _ => Bound::Each(1),
        };
        let inner = self.selection_set(&field.selection_set.node, returns, child, level)?;
        // The multiplied part: what each item costs (itself and its fields below any Total).
        let each = inner.complexity.saturating_sub(inner.fixed).saturating_add(1);
        let (multiplied, fixed) = match bound {
            Bound::Each(n) => (each.saturating_mul(n), inner.fixed),
            Bound::Total(n) => (1, inner.fixed.saturating_add(each.saturating_mul(n))),
        };
        Ok(Cost {
            complexity: multiplied.saturating_add(reading).saturating_add(fixed),
            fixed,
            depth: inner.depth + 1,
            fields: inner.fields + 1,
        })
    }

    /// The `first` argument's value: a literal, a variable or its default; the page limit when
    /// it is not a number (validation refuses it later).
    fn first(&self, field: &async_graphql::parser::types::Field) -> Option<usize> {
        let (_, value) = field.arguments.iter().find(|(name, _)| name.node == "first")?;
        let value = value
            .node
            .clone()
            .into_const_with(|var| self.variables.get(&var).or_else(|| self.defaults.get(&var)).cloned().ok_or(()));
        let number = match value {
            Ok(Value::Number(n)) => n.as_i64(),
            _ => None,
        };
        Some(number.map_or(schema::query::MAX_LIMIT, |n| n.clamp(0, schema::query::MAX_LIMIT as i64) as usize))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_list_field_has_a_bound() {
        let engine = crate::graphql::Engine::new();
        assert_eq!(engine.costs().unbounded_lists(), Vec::<(String, String)>::new(), "add them to LIST_BOUNDS");
        for (ty, field, _) in LIST_BOUNDS {
            let shape = engine.costs().fields.get(*ty).and_then(|f| f.get(*field));
            assert!(shape.is_some_and(|s| s.list), "LIST_BOUNDS names {ty}.{field}, which is not a list of the schema");
        }
    }

    #[test]
    fn every_connection_says_what_it_reads() {
        let engine = crate::graphql::Engine::new();
        for (ty, fields) in &engine.costs().fields {
            for (name, shape) in fields {
                let listed = CONNECTIONS.iter().any(|(t, f, ..)| t == ty && f == name);
                assert_eq!(shape.returns.ends_with("Connection"), listed, "{ty}.{name}: CONNECTIONS lists connections");
            }
        }
        for (ty, field, ..) in FIELD_COSTS {
            assert!(engine.costs().fields.get(*ty).is_some_and(|f| f.contains_key(*field)), "{ty}.{field}");
        }
    }

    const RECORDS: RecordCounts = RecordCounts {
        councils: 158,
        inspections: 1070,
        interventions: 142,
        inspections_of_one_council: 12,
        interventions_of_one_council: 6,
        figures_of_one_council: 300,
    };

    fn cost(query: &str) -> Result<Cost, Refusal> {
        let engine = crate::graphql::Engine::new();
        let doc = async_graphql::parser::parse_query(query).unwrap();
        engine.costs().cost(&doc, &Variables::default(), &RECORDS)
    }

    /// What reading every council costs.
    const COUNCILS: usize = 158 * STATUS;

    #[test]
    fn lists_multiply_by_their_bounds() {
        assert_eq!(cost("{ meta { datasetVersion } }").unwrap().complexity, 2);
        let neighbours = cost(r#"{ localAuthority(id: "x") { statisticalNeighbours { name } } }"#).unwrap();
        assert_eq!(neighbours.complexity, 1 + 10 * 2);
        // A council's status is derived for these, once however many items the list holds.
        let active = cost(r#"{ localAuthority(id: "x") { latestInspection { id } activeInterventions { id } } }"#);
        assert_eq!(active.unwrap().complexity, 1 + (2 + STATUS) + (10 * 2 + STATUS));
        let page = cost("{ localAuthorities(first: 7) { totalCount edges { node { name } } } }").unwrap();
        assert_eq!(page.complexity, 1 + COUNCILS + 7 + 1 + 7 * (1 + 2), "the councils read, the page built");
        assert_eq!(page.depth, 4);
        let all = cost("{ localAuthorities(first: 500) { edges { node { name } } } }").unwrap();
        assert_eq!(all.complexity, 1 + COUNCILS + 158 + 158 * (1 + 2), "no more pages than councils");
        let cells = cost("{ ratingStats { groups { grades { localAuthorities { gssCode } } } } }").unwrap();
        let stats = 1 + COUNCILS;
        assert_eq!(cells.complexity, stats + 12 * (1 + 8 * (1 + 1)) + MAX_COUNCILS * 2, "councils once, not per cell");
        let neighbours =
            cost("{ ratingStats { groups { grades { localAuthorities { statisticalNeighbours { name } } } } } }");
        assert_eq!(neighbours.unwrap().complexity, stats + 12 * (1 + 8 * 2) + MAX_COUNCILS * (1 + 10 * 2));
    }

    #[test]
    fn connections_cost_what_they_read_whatever_is_selected() {
        let one = |query: &str| cost(query).unwrap().complexity;
        // `totalCount` alone: every council's figure is read (and the page built) all the same.
        let values = one(r#"{ indicator(id: "x") { values(first: 500) { totalCount } } }"#);
        assert_eq!(values, 1 + (1 + COUNCILS + 158 + 1));
        assert_eq!(one("{ inspections(first: 1) { totalCount } }"), 1 + 1070 + 1 + 1);
        // One council's records: bounded by the council with the most.
        let timeline = one(r#"{ localAuthority(id: "x") { timeline(first: 500) { totalCount } } }"#);
        assert_eq!(timeline, 1 + (1 + (12 + 2 * 6 + 300) * 2 + 1));
        // The issue's query: 150 councils × 40 indicators × every council's figure.
        let issue = "{ localAuthorities(first: 150) { edges { node { indicators { indicator { values(first: 500) \
                     { totalCount } } } } } } }";
        assert!(matches!(cost(issue), Err(Refusal::TooComplex(_))));
    }

    /// How many items each introspection list holds in the schema lacs serves, from a real
    /// introspection answer: the totals and the most for one parent.
    fn introspected() -> HashMap<(&'static str, &'static str), Holds> {
        let query = "{ __schema { types { fields(includeDeprecated: true) { args { name } } \
            inputFields { name } enumValues(includeDeprecated: true) { name } interfaces { name } \
            possibleTypes { name } } directives { args { name } locations } } }";
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let response = runtime.block_on(crate::graphql::build().execute(query));
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        let answer = response.data.into_json().unwrap();
        let mut holds: HashMap<(&'static str, &'static str), Holds> = HashMap::new();
        let mut add = |list, items: &serde_json::Value| {
            holds.entry(list).or_default().add(items.as_array().map_or(0, Vec::len));
        };
        let schema = &answer["__schema"];
        add(("__Schema", "types"), &schema["types"]);
        add(("__Schema", "directives"), &schema["directives"]);
        for ty in schema["types"].as_array().unwrap() {
            for list in ["fields", "inputFields", "enumValues", "interfaces", "possibleTypes"] {
                let key = INTROSPECTED.iter().find(|(_, f)| *f == list).unwrap();
                add(*key, &ty[list]);
            }
            for field in ty["fields"].as_array().into_iter().flatten() {
                add(("__Field", "args"), &field["args"]);
            }
        }
        for directive in schema["directives"].as_array().unwrap() {
            add(("__Directive", "args"), &directive["args"]);
            add(("__Directive", "locations"), &directive["locations"]);
        }
        holds
    }

    const INTROSPECTED: &[(&str, &str)] = &[
        ("__Type", "fields"),
        ("__Type", "inputFields"),
        ("__Type", "enumValues"),
        ("__Type", "interfaces"),
        ("__Type", "possibleTypes"),
    ];

    #[test]
    fn introspection_lists_hold_what_the_schema_holds() {
        let engine = crate::graphql::Engine::new();
        let model = &engine.costs().introspection;
        for (list, actual) in introspected() {
            let bound = model.get(&list).copied().unwrap_or_default();
            assert!(
                actual.total <= bound.total && actual.each <= bound.each,
                "{list:?}: the schema holds {actual:?}, the model counts {bound:?}"
            );
        }
        // Every introspection list is costed (a list missing here would count as empty).
        for (ty, fields) in &engine.costs().fields {
            for (name, _) in fields.iter().filter(|(_, s)| s.list && ty.starts_with("__")) {
                assert!(model.contains_key(&(ty.as_str(), name.as_str())), "{ty}.{name}");
            }
        }
    }

    #[test]
    fn introspection_costs_what_it_lists() {
        let engine = crate::graphql::Engine::new();
        let fields = engine.costs().introspection[&("__Type", "fields")].total;
        let types = engine.costs().introspection[&("__Schema", "types")].total;
        let one = cost("{ __schema { types { name fields { name } } } }").unwrap().complexity;
        assert_eq!(one, 1 + types * 3 + fields * 2, "each type once, each of their fields once");
        // Aliases each list it all again.
        let aliased: String =
            (0..4).map(|i| format!("a{i}: __schema {{ types {{ name fields {{ name }} }} }} ")).collect();
        assert_eq!(cost(&format!("{{ {aliased} }}")).unwrap().complexity, 4 * one);
        // A single type's fields are bounded by the type with the most; types reached through
        // fields are any type, so their lists multiply.
        let most = engine.costs().introspection[&("__Type", "fields")].each;
        let one_type = cost(r#"{ __type(name: "LocalAuthority") { fields { name } } }"#).unwrap().complexity;
        assert_eq!(one_type, 1 + most * 2);
        let nested = cost("{ __schema { types { fields { type { fields { name } } } } } }").unwrap().complexity;
        assert!(nested > fields * most * 2, "{nested}");
        // GraphiQL's own introspection query fits.
        assert!(cost(GRAPHIQL_INTROSPECTION).is_ok(), "{:?}", cost(GRAPHIQL_INTROSPECTION));
        eprintln!("GraphiQL's introspection query costs {:?}", cost(GRAPHIQL_INTROSPECTION));
    }

    /// graphql-js's `getIntrospectionQuery()`, which GraphiQL sends to learn the schema.
    const GRAPHIQL_INTROSPECTION: &str = "query IntrospectionQuery { __schema { queryType { name } mutationType \
      { name } subscriptionType { name } types { ...FullType } directives { name description locations args { \
      ...InputValue } } } } fragment FullType on __Type { kind name description fields(includeDeprecated: true) { \
      name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason } inputFields { \
      ...InputValue } interfaces { ...TypeRef } enumValues(includeDeprecated: true) { name description \
      isDeprecated deprecationReason } possibleTypes { ...TypeRef } } fragment InputValue on __InputValue { name \
      description type { ...TypeRef } defaultValue } fragment TypeRef on __Type { kind name ofType { kind name \
      ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind \
      name ofType { kind name } } } } } } } } }";

    #[test]
    fn nesting_skips_strings_and_comments() {
        assert!(check_nesting(&format!("{}{}", "[".repeat(100), "]".repeat(100))).is_err());
        assert!(check_nesting(&format!("\"{}\" # {}\n{{ a }}", "[".repeat(100), "{".repeat(100))).is_ok());
        assert!(check_nesting(&format!("\"\"\"{}\"\"\" {{ a }}", "(".repeat(100))).is_ok());
    }
}
