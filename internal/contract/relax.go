package contract

import "github.com/getkin/kin-openapi/openapi3"

// Relax reads two things in Jira's description as OpenAPI 3.0.3 means
// them, where kin-openapi is stricter:
//   - a schema without a type accepts null ("nullable ... only if type is
//     explicitly defined"): Jira sends "assignee": null, "resolution":
//     null in IssueBean.fields, whose schema is additionalProperties {};
//   - a response whose JSON schema is empty ({}) says nothing about its
//     body: Jira answers POST issueLink with 201 and no body at all, which
//     kin-openapi cannot decode as JSON.
//
// Call it on a document loaded for one test package; it edits the document.
func Relax(doc *openapi3.T) {
	seen := map[*openapi3.Schema]bool{}
	var walk func(ref *openapi3.SchemaRef)
	walk = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		sc := ref.Value
		seen[sc] = true
		if sc.Type == nil || sc.Type.IsEmpty() {
			sc.Nullable = true
		}
		for _, p := range sc.Properties {
			walk(p)
		}
		walk(sc.Items)
		walk(sc.AdditionalProperties.Schema)
		walk(sc.Not)
		for _, l := range []openapi3.SchemaRefs{sc.AllOf, sc.AnyOf, sc.OneOf} {
			for _, r := range l {
				walk(r)
			}
		}
	}
	for _, sc := range doc.Components.Schemas {
		walk(sc)
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for _, mt := range op.RequestBody.Value.Content {
					walk(mt.Schema)
				}
			}
			for _, resp := range op.Responses.Map() {
				if resp.Value == nil {
					continue
				}
				for _, mt := range resp.Value.Content {
					if empty(mt.Schema) {
						mt.Schema = nil
						continue
					}
					walk(mt.Schema)
				}
			}
		}
	}
}

func empty(ref *openapi3.SchemaRef) bool {
	if ref == nil || ref.Value == nil || ref.Ref != "" {
		return false
	}
	sc := ref.Value
	return (sc.Type == nil || sc.Type.IsEmpty()) && len(sc.Properties) == 0 && sc.Items == nil &&
		sc.AdditionalProperties.Schema == nil && sc.AdditionalProperties.Has == nil &&
		len(sc.AllOf)+len(sc.AnyOf)+len(sc.OneOf) == 0 && sc.Not == nil
}
