//! What a GraphQL document may cost, measured before it is validated or run.
//!
//! The measure is linear in the document's size: each fragment is costed once and reused at
//! every spread, and counting stops as soon as a limit is passed. Every list field carries the
//! largest length it can have ([`LIST_BOUNDS`], or the connection's `first`), so the complexity
//! bounds the work and the memory of the answer. Introspection counts like any other field; its
//! lists are bounded instead by [`MAX_INTROSPECTION_LISTS`], as graphql-js does.

use std::collections::HashMap;

use async_graphql::Variables;
use async_graphql::parser::types::{
    BaseType, ExecutableDocument, Selection, SelectionSet, ServiceDocument, TypeKind, TypeSystemDefinition,
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
    // The catalogue holds 18; room for it to grow.
    ("QueryRoot", "indicators", Bound::Each(MAX_INDICATORS)),
    ("LocalAuthority", "indicators", Bound::Each(MAX_INDICATORS)),
    // Periods: 2013 onwards, one a year.
    ("Indicator", "periods", Bound::Each(MAX_PERIODS)),
    ("IndicatorSeries", "points", Bound::Each(MAX_PERIODS)),
];

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
}

/// Introspection as the GraphQL specification defines it (not part of the exported SDL).
const INTROSPECTION_SDL: &str = r#"
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
        for text in [sdl, INTROSPECTION_SDL] {
            let doc: ServiceDocument = async_graphql::parser::parse_schema(text)?;
            for def in doc.definitions {
                let TypeSystemDefinition::Type(def) = def else { continue };
                let TypeKind::Object(object) = &def.node.kind else { continue };
                let fields = model.fields.entry(def.node.name.node.to_string()).or_default();
                for field in &object.fields {
                    let mut ty = &field.node.ty.node;
                    let mut list = false;
                    while let BaseType::List(inner) = &ty.base {
                        list = true;
                        ty = inner;
                    }
                    let BaseType::Named(name) = &ty.base else { continue };
                    fields.insert(field.node.name.node.to_string(), FieldShape { returns: name.to_string(), list });
                }
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
    /// `rows` gives how many records of a node type exist, so that a connection's page is
    /// bounded by what there is to page through (`first: 500` over 158 councils is 158).
    pub fn cost(
        &self,
        doc: &ExecutableDocument,
        variables: &Variables,
        rows: &HashMap<&str, usize>,
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
                rows,
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
}

struct Walk<'a> {
    model: &'a CostModel,
    doc: &'a ExecutableDocument,
    variables: &'a Variables,
    defaults: &'a HashMap<&'a Name, Value>,
    rows: &'a HashMap<&'a str, usize>,
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
        let mut child = Context { page: 1, introspection_lists: ctx.introspection_lists };
        if let Some(first) = self.first(field) {
            let rows = returns.strip_suffix("Connection").and_then(|node| self.rows.get(node));
            child.page = rows.map_or(first, |rows| first.min(*rows));
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
                Bound::Each(1)
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
            complexity: multiplied.saturating_add(fixed),
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

    fn cost(query: &str) -> Result<Cost, Refusal> {
        let engine = crate::graphql::Engine::new();
        let doc = async_graphql::parser::parse_query(query).unwrap();
        engine.costs().cost(&doc, &Variables::default(), &HashMap::from([("LocalAuthority", 158)]))
    }

    #[test]
    fn lists_multiply_by_their_bounds() {
        assert_eq!(cost("{ meta { datasetVersion } }").unwrap().complexity, 2);
        let neighbours = cost(r#"{ localAuthority(id: "x") { statisticalNeighbours { name } } }"#).unwrap();
        assert_eq!(neighbours.complexity, 1 + 10 * 2);
        let page = cost("{ localAuthorities(first: 7) { totalCount edges { node { name } } } }").unwrap();
        assert_eq!(page.complexity, 1 + 1 + 7 * (1 + 2));
        assert_eq!(page.depth, 4);
        let all = cost("{ localAuthorities(first: 500) { edges { node { name } } } }").unwrap();
        assert_eq!(all.complexity, 1 + 158 * (1 + 2), "no more pages than councils");
        let cells = cost("{ ratingStats { groups { grades { localAuthorities { gssCode } } } } }").unwrap();
        assert_eq!(cells.complexity, 1 + 12 * (1 + 8 * (1 + 1)) + MAX_COUNCILS * 2, "councils once, not per cell");
        let neighbours =
            cost("{ ratingStats { groups { grades { localAuthorities { statisticalNeighbours { name } } } } } }");
        assert_eq!(neighbours.unwrap().complexity, 1 + 12 * (1 + 8 * 2) + MAX_COUNCILS * (1 + 10 * 2));
    }

    #[test]
    fn nesting_skips_strings_and_comments() {
        assert!(check_nesting(&format!("{}{}", "[".repeat(100), "]".repeat(100))).is_err());
        assert!(check_nesting(&format!("\"{}\" # {}\n{{ a }}", "[".repeat(100), "{".repeat(100))).is_ok());
        assert!(check_nesting(&format!("\"\"\"{}\"\"\" {{ a }}", "(".repeat(100))).is_ok());
    }
}
