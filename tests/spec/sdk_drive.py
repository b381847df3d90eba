"""The official Python SDK (scale-gp-beta 0.7.0, the source of truth of our spec) drives every
current operation against Prism serving our spec on 127.0.0.1: Prism rejects any request the spec
does not allow (so the spec accepts what the SDK sends), and the SDK, with strict response
validation, rejects any response its models do not accept (so the spec's responses are what the SDK
expects). Request bodies are the spec's own examples, so every body variant (the create and update
unions, all task, question and widget types, the export methods) goes through the SDK too.

Usage: python tests/spec/sdk_drive.py SPEC PRISM_BINARY
Starts Prism on a free loopback port, stops it at the end (also on failure), prints one line per
call and a total, and exits 1 unless every call passed. Part of `cargo xtask test`."""
import io, socket, subprocess, sys, time, yaml
from scale_gp_beta import SGPClient

# The SDK's `Evaluation` has a field named `object`, which shadows the builtin in the class body, so
# its `metadata: Dict[str, object]` comes out as `Dict[str, None]` and strict validation rejects any
# metadata value. That is the SDK's bug, not the API's: the annotation it meant is restored here.
from typing import Any, Dict, Optional
from scale_gp_beta.types import Evaluation
Evaluation.model_fields["metadata"].annotation = Optional[Dict[str, Any]]
Evaluation.model_rebuild(force=True)

spec = yaml.safe_load(open(sys.argv[1]))
c = None  # the client, once Prism listens (see `main`)

def examples(op_id):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and op.get("operationId") == op_id:
                content = op.get("requestBody", {}).get("content", {}).get("application/json", {})
                if "example" in content:
                    return {"example": content["example"]}
                return {k: v["value"] for k, v in content.get("examples", {}).items()}
    return None

def missing(op_id):
    raise LookupError(f"the spec has no operation {op_id}")

def body_calls(op_id, call):
    found = examples(op_id)
    if found is None:
        return {op_id: lambda: missing(op_id)}
    return {f"{op_id}({name})": (lambda ex=ex: call(ex)) for name, ex in found.items()}

CP = dict(limit=2, sort_by="created_at", sort_order="desc", starting_after="a", ending_before="b")
calls = {}
calls.update(body_calls("createEvaluation", lambda ex: c.evaluations.create(evaluation=ex)))
calls["listEvaluations"] = lambda: c.evaluations.list(include_archived=True, name="n", tags=["a", "b"], views=["tasks"], **CP).items
calls.update(body_calls("filterEvaluations", lambda ex: c.evaluations.filter(**ex, views=["tasks"], **CP).items))
calls["retrieveEvaluation"] = lambda: c.evaluations.retrieve("e1", include_archived=True, views=["tasks"])
calls.update(body_calls("updateEvaluation", lambda ex: c.evaluations.update("e1", evaluation=ex)))
calls["archiveEvaluation"] = lambda: c.evaluations.archive("e1")
calls["retrieveEvaluationSchema"] = lambda: c.evaluations.retrieve_schema("e1", include_archived=True)
calls["retrieveEvaluationTaxonomy"] = lambda: c.evaluations.retrieve_taxonomy("e1")
calls.update(body_calls("addEvaluationTask", lambda ex: c.evaluations.tasks.add("e1", **ex)))
calls.update(body_calls("updateEvaluationTask", lambda ex: c.evaluations.tasks.update("alias1", evaluation_id="e1", **ex)))
calls["listEvaluationItems"] = lambda: c.evaluation_items.list(evaluation_id="e1", include_archived=True, completion_status="failed", **CP).items
calls.update(body_calls("exportEvaluationItems", lambda ex: c.evaluation_items.export(**ex)))
calls["retrieveEvaluationItem"] = lambda: c.evaluation_items.retrieve("i1", include_archived=True)
calls.update(body_calls("createEvaluationGroup", lambda ex: c.evaluation_groups.create(**ex)))
calls["listEvaluationGroups"] = lambda: c.evaluation_groups.list(evaluation_id="e1", include_deleted=True, name="n", tags=["a"], **CP).items
calls["retrieveEvaluationGroup"] = lambda: c.evaluation_groups.retrieve("g1", include_deleted=True)
calls.update(body_calls("updateEvaluationGroup", lambda ex: c.evaluation_groups.update("g1", **ex)))
calls.update(body_calls("replaceEvaluationGroup", lambda ex: c.evaluation_groups.replace("g1", **ex)))
calls["archiveEvaluationGroup"] = lambda: c.evaluation_groups.archive("g1")
calls["retrieveEvaluationGroupSchema"] = lambda: c.evaluation_groups.retrieve_schema("g1", include_archived=True)
calls.update(body_calls("createEvaluationDashboard", lambda ex: c.evaluation_dashboards.create(**ex)))
calls["listEvaluationDashboards"] = lambda: c.evaluation_dashboards.list(evaluation_id="e1", include_archived=True, search="s", tags=["a"], **CP).items
calls["retrieveEvaluationDashboard"] = lambda: c.evaluation_dashboards.retrieve("d1", include_archived=True)
calls.update(body_calls("updateEvaluationDashboard", lambda ex: c.evaluation_dashboards.update("d1", **ex)))
calls["archiveEvaluationDashboard"] = lambda: c.evaluation_dashboards.archive("d1")
calls.update(body_calls("createEvaluationDashboardWidget", lambda ex: c.evaluation_dashboards.widgets.create("d1", **ex)))
calls.update(body_calls("updateEvaluationDashboardWidget", lambda ex: c.evaluation_dashboards.widgets.update("w1", dashboard_id="d1", **ex)))
calls["removeEvaluationDashboardWidget"] = lambda: c.evaluation_dashboards.widgets.remove("w1", dashboard_id="d1")
calls.update(body_calls("createDataset", lambda ex: c.datasets.create(**ex)))
calls["listDatasets"] = lambda: c.datasets.list(include_archived=True, name="n", tags=["a", "b"], **CP).items
calls["retrieveDataset"] = lambda: c.datasets.retrieve("d1", include_archived=True)
calls.update(body_calls("updateDataset", lambda ex: c.datasets.update("d1", dataset=ex)))
calls["archiveDataset"] = lambda: c.datasets.archive("d1")
calls["listDatasetItems"] = lambda: c.dataset_items.list(dataset_id="d1", version=1, include_archived=True, **CP).items
calls.update(body_calls("batchCreateDatasetItems", lambda ex: c.dataset_items.batch_create(**ex)))
calls["retrieveDatasetItem"] = lambda: c.dataset_items.retrieve("i1", version=2)
calls.update(body_calls("updateDatasetItem", lambda ex: c.dataset_items.update("i1", **ex)))
calls["archiveDatasetItem"] = lambda: c.dataset_items.archive("i1")
calls.update(body_calls("createQuestion", lambda ex: c.questions.create(question=ex)))
calls["listQuestions"] = lambda: c.questions.list(ids=["q1", "q2"], include_archived=True, **CP).items
calls["retrieveQuestion"] = lambda: c.questions.retrieve("q1")
calls.update(body_calls("updateQuestion", lambda ex: c.questions.update("q1", **ex)))
calls["archiveQuestion"] = lambda: c.questions.archive("q1")
calls["restoreQuestion"] = lambda: c.questions.restore("q1")
calls["createFile"] = lambda: c.files.create(file=("a.csv", io.BytesIO(b"a,b\n1,2\n"), "text/csv"), x_project_id="p")
calls["listFiles"] = lambda: c.files.list(filename="a", x_project_id="p", **CP).items
calls.update(body_calls("importFilesFromCloud", lambda ex: c.files.import_from_cloud(**ex, x_project_id="p")))
calls["retrieveFile"] = lambda: c.files.retrieve("f1", x_project_id="p")
calls.update(body_calls("updateFile", lambda ex: c.files.update("f1", **ex, x_project_id="p")))
calls["deleteFile"] = lambda: c.files.delete("f1", x_project_id="p")
calls["retrieveFileContent"] = lambda: c.files.content.retrieve("f1", x_project_id="p")

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def wait_for(port, prism, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if prism.poll() is not None:
            sys.exit(f"prism exited with {prism.returncode} before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"prism did not listen on 127.0.0.1:{port} within {seconds} s")

def main():
    global c
    port = free_port()
    prism = subprocess.Popen([sys.argv[2], "mock", "-h", "127.0.0.1", "-p", str(port), sys.argv[1]],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(port, prism)
        c = SGPClient(api_key="k", account_id="a", base_url=f"http://127.0.0.1:{port}", max_retries=0,
                      _strict_response_validation=True)
        ok = 0
        for name, call in calls.items():
            try:
                call()
                ok += 1
            except Exception as e:
                print("FAIL", name, type(e).__name__, str(e).replace("\n", " ")[:400])
        operations = {n.split("(")[0] for n in calls}
        print(f"{ok} of {len(calls)} SDK calls passed ({len(operations)} operations)")
        return 0 if ok == len(calls) else 1
    finally:
        prism.terminate()
        try:
            prism.wait(timeout=10)
        except subprocess.TimeoutExpired:
            prism.kill()

if __name__ == "__main__":
    sys.exit(main())
