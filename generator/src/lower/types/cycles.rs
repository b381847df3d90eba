//! Recursive types: boxing where a type contains itself, and errors where Rust cannot express it.

use super::*;

/// Boxes every struct field and union variant whose type leads back to its owner without
/// passing through a `Vec` or a map, so recursive types have a finite size.
pub(super) fn box_cycles(types: &mut [TypeDef]) {
    let direct_edges: Vec<Vec<TypeId>> = types.iter().map(|t| direct_children(&t.kind)).collect();
    for (owner, def) in types.iter_mut().enumerate() {
        let owner_id = TypeId(owner);
        match &mut def.kind {
            TypeKind::Struct(s) => {
                for field in &mut s.fields {
                    if let Some(child) = field.ty.direct_named() {
                        field.boxed = reaches(&direct_edges, child, owner_id);
                    }
                }
            }
            TypeKind::Union(u) => {
                for variant in &mut u.variants {
                    if let Some(child) = variant.ty.direct_named() {
                        variant.boxed = reaches(&direct_edges, child, owner_id);
                    }
                }
            }
            _ => {}
        }
    }
}

/// A named schema that is only an array, a map or another name of itself, with no object in between
/// (`Tree: {type: array, items: {$ref: Tree}}`, or `A: {allOf: [$ref: B]}` with `B: {allOf: [$ref: A]}`),
/// would become a Rust type alias that contains itself, which Rust rejects. Each such schema is an error,
/// except those in `skip`.
pub(super) fn alias_cycles(types: &[TypeDef], skip: &BTreeSet<TypeId>) -> Vec<Diagnostic> {
    let alias_edges: Vec<Vec<TypeId>> = types
        .iter()
        .map(|def| {
            let mut targets = Vec::new();
            if let TypeKind::Alias(target) = &def.kind {
                target.named_ids(&mut targets);
            }
            targets
        })
        .collect();
    let mut diagnostics = Vec::new();
    for (index, def) in types.iter().enumerate() {
        let Some(targets) = alias_edges.get(index).filter(|_| !skip.contains(&TypeId(index))) else {
            continue;
        };
        if targets
            .iter()
            .any(|&target| reaches(&alias_edges, target, TypeId(index)))
        {
            diagnostics.push(Diagnostic::error(
                def.pointer.clone(),
                format!(
                    "schema `{}` contains itself with no object in between (through `$ref`, `allOf`, `items` or \
                     `additionalProperties`), which no Rust type can express; make a schema on the loop an object",
                    def.name
                ),
            ));
        }
    }
    diagnostics
}

pub(super) fn direct_children(kind: &TypeKind) -> Vec<TypeId> {
    match kind {
        TypeKind::Struct(s) => s.fields.iter().filter_map(|f| f.ty.direct_named()).collect(),
        TypeKind::Union(u) => u.variants.iter().filter_map(|v| v.ty.direct_named()).collect(),
        TypeKind::Alias(t) => t.direct_named().into_iter().collect(),
        TypeKind::Enum(_) => Vec::new(),
    }
}

pub(super) fn reaches(edges: &[Vec<TypeId>], from: TypeId, to: TypeId) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from];
    while let Some(next) = stack.pop() {
        if next == to {
            return true;
        }
        if seen.insert(next) {
            if let Some(children) = edges.get(next.0) {
                stack.extend(children.iter().copied());
            }
        }
    }
    false
}
