"""moto's server for the AWS tests, with what moto lacks for training runs patched in.

Usage: python3 launcher.py PORT
(PYTHONPATH must hold the moto that scripts/moto.mjs installs; test/harness/moto.ts runs this.)

Every patch below was written against moto 5.2.4's sources (Debian sid's python3-moto 5.2.4-2)
running on Debian 12's botocore 1.29; the launcher refuses any other moto. Patch as little as
possible: each patch says what moto does, what AWS does, and why the tests need the difference.
"""

import copy
import json
import sys
from datetime import datetime, timezone
from typing import Any

MOTO_VERSION = "5.2.4"

import moto  # noqa: E402

if moto.__version__ != MOTO_VERSION:
    sys.exit(
        f"launcher.py patches moto {MOTO_VERSION}, not {moto.__version__}: check each patch "
        "against that version's sources, then update MOTO_VERSION"
    )

from moto.core.responses import ActionResult  # noqa: E402
from moto.core.utils import get_service_model  # noqa: E402
from moto.moto_api._internal import urls as moto_api_urls  # noqa: E402
from moto.sagemaker import models as sm_models  # noqa: E402
from moto.sagemaker.exceptions import ResourceNotFound, ValidationError  # noqa: E402
from moto.sagemaker.responses import SageMakerResponse  # noqa: E402

# --- CloudWatch speaks JSON -------------------------------------------------------------------
# The JS SDK's CloudWatch client (3.1162) sends awsJson1_0 (`X-Amz-Target:
# GraniteServiceVersion20100801.PutMetricData`), which AWS accepts since early 2025. moto 5.2.4
# handles it when botocore's model lists the protocol, but Debian 12's botocore 1.29 model lists
# only `query`. Give the (cached) model the metadata newer botocore ships for CloudWatch.
_cw = get_service_model("cloudwatch").metadata
_cw.setdefault("protocols", ["json", "query"])
_cw.setdefault("jsonVersion", "1.0")
_cw.setdefault("targetPrefix", "GraniteServiceVersion20100801")
_cw.setdefault("awsQueryCompatible", {})

# --- Training jobs keep the caller's MetricDefinitions ------------------------------------------
# moto overwrites AlgorithmSpecification.MetricDefinitions with a fixed `test:dcg` definition;
# AWS keeps what the caller sent, and the run page reads its metric names from there.
_training_job_init = sm_models.FakeTrainingJob.__init__


def _training_job_keeps_metric_definitions(self: Any, *args: Any, **kwargs: Any) -> None:
    spec = kwargs.get("algorithm_specification") or {}
    sent = copy.deepcopy(spec.get("MetricDefinitions"))
    _training_job_init(self, *args, **kwargs)
    if sent is None:
        self.algorithm_specification.pop("MetricDefinitions", None)
    else:
        self.algorithm_specification["MetricDefinitions"] = sent


sm_models.FakeTrainingJob.__init__ = _training_job_keeps_metric_definitions  # type: ignore[method-assign]

# --- Endpoint configs accept ml.g5 ---------------------------------------------------------------
# moto's list of endpoint instance types predates ml.g5, which JumpStart deploys Llama 3 8B on
# (ml.g5.2xlarge by default). The ml.g5 sizes: https://aws.amazon.com/sagemaker/pricing/ (real-time
# inference), read 2026-12-03.
G5_SIZES = {"xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "48xlarge"}
_validate_instance_type = sm_models.FakeEndpointConfig.validate_instance_type


def _validate_instance_type_with_g5(self: Any, instance_type: str) -> None:
    if instance_type.startswith("ml.g5.") and instance_type[len("ml.g5."):] in G5_SIZES:
        return
    _validate_instance_type(self, instance_type)


sm_models.FakeEndpointConfig.validate_instance_type = _validate_instance_type_with_g5  # type: ignore[method-assign]


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _training_job(backend: Any, name: str) -> Any:
    job = backend.training_jobs.get(name)
    if job is None:
        arn = sm_models.FakeTrainingJob.arn_formatter(name, backend.account_id, backend.region_name)
        raise ResourceNotFound(message=f"Could not find training job '{arn}'.")
    return job


# --- StopTrainingJob --------------------------------------------------------------------------
# moto has no StopTrainingJob. AWS: "SageMaker changes the status of the job to Stopping. After
# SageMaker stops the job, it sets the status to Stopped"; a missing job is ResourceNotFound
# (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_StopTrainingJob.html). Only an
# InProgress job can be stopped (moto's jobs are Completed at once: a test sets one InProgress
# with the route below first). Here the job goes through Stopping to Stopped in one step.
def _stop_training_job(self: Any) -> ActionResult:
    job = _training_job(self.sagemaker_backend, self._get_param("TrainingJobName"))
    if job.training_job_status != "InProgress":
        raise ValidationError(
            message=f"The training job {job.training_job_name} is {job.training_job_status} and cannot be stopped."
        )
    now = _now()
    for transition in job.secondary_status_transitions:
        transition.setdefault("EndTime", now)
    job.secondary_status_transitions += [
        {"Status": "Stopping", "StartTime": now, "EndTime": now, "StatusMessage": "Stopping the training job"},
        {"Status": "Stopped", "StartTime": now, "EndTime": now, "StatusMessage": "Training job stopped"},
    ]
    job.training_job_status = "Stopped"
    job.secondary_status = "Stopped"
    job.training_end_time = job.last_modified_time = now
    return ActionResult({})


SageMakerResponse.stop_training_job = _stop_training_job  # type: ignore[attr-defined]


# --- A training job's state, set by the test ----------------------------------------------------
# `POST /moto-api/static/sagemaker/training-job-status` with {"TrainingJobName", "TrainingJobStatus",
# optional "SecondaryStatus", "FailureReason", "FinalMetricDataList": [{"MetricName", "Value"}],
# "account_id", "region"}: what a real job reports as it runs, which moto cannot know.
def _set_training_job_status(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
    length = int(headers.get("Content-Length") or 0)
    body = json.loads(request.environ["wsgi.input"].read(length).decode("utf-8") or "{}")
    backend = sm_models.sagemaker_backends[body.get("account_id", "123456789012")][body.get("region", "us-east-1")]
    try:
        job = _training_job(backend, body["TrainingJobName"])
    except ResourceNotFound as e:
        return 404, {}, str(e)
    now = _now()
    job.training_job_status = body["TrainingJobStatus"]
    job.secondary_status = body.get("SecondaryStatus", body["TrainingJobStatus"])
    job.last_modified_time = now
    if job.training_job_status == "InProgress":
        job.training_end_time = None
        job.final_metric_data_list = []
    if "FailureReason" in body:
        job.failure_reason = body["FailureReason"]
    if "FinalMetricDataList" in body:
        job.final_metric_data_list = [
            {"MetricName": m["MetricName"], "Value": float(m["Value"]), "Timestamp": now} for m in body["FinalMetricDataList"]
        ]
    job.secondary_status_transitions.append({"Status": job.secondary_status, "StartTime": now, "StatusMessage": ""})
    return 200, {}, ""


moto_api_urls.url_paths["{0}/moto-api/static/sagemaker/training-job-status"] = _set_training_job_status


# --- SageMaker's public hub: one JumpStart model ---------------------------------------------
# moto has no hub APIs. The fixture is Meta Llama 3 8B as JumpStart lists it in
# SageMakerPublicHub. Document keys follow the SageMaker Python SDK's HubModelDocument
# (src/sagemaker/jumpstart/hub/interfaces.py) and its test fixtures; the training defaults,
# ranges, instance types and metric regexes are JumpStart's Meta text-generation fine-tuning
# spec (SDK tests/unit/sagemaker/jumpstart/estimator/test_estimator.py; AWS blog "Fine-tune Llama 3
# for text generation on Amazon SageMaker JumpStart",
# https://aws.amazon.com/blogs/machine-learning/fine-tune-llama-3-for-text-generation-on-amazon-sagemaker-jumpstart/,
# which gives chat_dataset=True and target modules q_proj,v_proj for Llama 3). The content
# version and dates are illustrative.
PUBLIC_HUB = "SageMakerPublicHub"
LLAMA3_8B = "meta-textgeneration-llama-3-8b"
LLAMA3_8B_VERSION = "2.3.0"
LLAMA3_8B_CREATED = datetime(2024, 4, 18, tzinfo=timezone.utc)


def _hp(name: str, type_: str, default: Any, **extra: Any) -> dict[str, Any]:
    return {"Name": name, "Type": type_, "Default": default, "Scope": "algorithm", **extra}


TRUE_FALSE = ["True", "False"]


def llama3_8b_document(region: str) -> dict[str, Any]:
    bucket = f"s3://jumpstart-cache-prod-{region}"
    ecr = f"763104351884.dkr.ecr.{region}.amazonaws.com"
    return {
        "Url": "https://llama.meta.com/llama3/",
        "MinSdkVersion": "2.198.0",
        "TrainingSupported": True,
        "IncrementalTrainingSupported": False,
        "HostingEcrUri": f"{ecr}/huggingface-pytorch-tgi-inference:2.1.1-tgi2.0.0-gpu-py310-cu121-ubuntu22.04",
        "HostingArtifactUri": f"{bucket}/meta-textgeneration/{LLAMA3_8B}/artifacts/inference/v1.0.0/",
        "HostingEulaUri": f"{bucket}/fmhMetadata/eula/llama3Eula.txt",
        "DefaultInferenceInstanceType": "ml.g5.2xlarge",
        "SupportedInferenceInstanceTypes": ["ml.g5.2xlarge", "ml.g5.4xlarge", "ml.g5.8xlarge", "ml.g5.12xlarge", "ml.g5.24xlarge", "ml.g5.48xlarge", "ml.p4d.24xlarge"],
        "TrainingEcrUri": f"{ecr}/huggingface-pytorch-training:2.0.0-transformers4.28.1-gpu-py310-cu118-ubuntu20.04",
        "TrainingArtifactUri": f"{bucket}/meta-training/train-{LLAMA3_8B}.tar.gz",
        "TrainingScriptUri": f"{bucket}/source-directory-tarballs/meta/transfer_learning/textgeneration/v1.0.11/sourcedir.tar.gz",
        "TrainingPrepackedScriptUri": f"{bucket}/source-directory-tarballs/meta/transfer_learning/textgeneration/prepack/v1.0.5/sourcedir.tar.gz",
        "DefaultTrainingInstanceType": "ml.g5.12xlarge",
        "SupportedTrainingInstanceTypes": ["ml.g5.12xlarge", "ml.g5.24xlarge", "ml.g5.48xlarge", "ml.p4d.24xlarge"],
        "TrainingMetrics": [
            {"Name": "huggingface-textgeneration:eval-loss", "Regex": "eval_epoch_loss=tensor\\(([0-9\\.]+)"},
            {"Name": "huggingface-textgeneration:eval-ppl", "Regex": "eval_ppl=tensor\\(([0-9\\.]+)"},
            {"Name": "huggingface-textgeneration:train-loss", "Regex": "train_epoch_loss=([0-9\\.]+)"},
        ],
        "Hyperparameters": [
            _hp("int8_quantization", "text", "False", Options=TRUE_FALSE),
            _hp("enable_fsdp", "text", "True", Options=TRUE_FALSE),
            _hp("epoch", "int", 5, Min=1, Max=1000),
            _hp("learning_rate", "float", 0.0001, Min=1e-08, Max=1),
            _hp("lora_r", "int", 8, Min=1),
            _hp("lora_alpha", "int", 32, Min=1),
            _hp("target_modules", "text", "q_proj,v_proj"),
            _hp("lora_dropout", "float", 0.05, Min=0, Max=1),
            _hp("instruction_tuned", "text", "False", Options=TRUE_FALSE),
            _hp("chat_dataset", "text", "True", Options=TRUE_FALSE),
            _hp("add_input_output_demarcation_key", "text", "True", Options=TRUE_FALSE),
            _hp("per_device_train_batch_size", "int", 1, Min=1, Max=1000),
            _hp("per_device_eval_batch_size", "int", 1, Min=1, Max=1000),
            _hp("max_train_samples", "int", -1, Min=-1),
            _hp("max_val_samples", "int", -1, Min=-1),
            _hp("seed", "int", 10, Min=1, Max=1000),
            _hp("max_input_length", "int", -1, Min=-1),
            _hp("validation_split_ratio", "float", 0.2, Min=0, Max=1),
            _hp("train_data_split_seed", "int", 0, Min=0),
            _hp("preprocessing_num_workers", "text", "None"),
            {"Name": "sagemaker_submit_directory", "Type": "text", "Default": "/opt/ml/input/data/code/sourcedir.tar.gz", "Scope": "container"},
            {"Name": "sagemaker_program", "Type": "text", "Default": "transfer_learning.py", "Scope": "container"},
            {"Name": "sagemaker_container_log_level", "Type": "text", "Default": "20", "Scope": "container"},
        ],
        "GatedBucket": True,
    }


def _hub_arn(backend: Any) -> str:
    return f"arn:aws:sagemaker:{backend.region_name}:aws:hub/{PUBLIC_HUB}"


def _hub_content(backend: Any, hub_name: str, content_type: str) -> list[dict[str, Any]]:
    """The hub's contents of one type; ResourceNotFound for any hub but the public one."""
    if hub_name not in (PUBLIC_HUB, _hub_arn(backend)):
        raise ResourceNotFound(message=f"Hub {hub_name} does not exist.")
    if content_type != "Model":
        return []
    region = backend.region_name
    return [{
        "HubContentName": LLAMA3_8B,
        "HubContentArn": f"arn:aws:sagemaker:{region}:aws:hub-content/{PUBLIC_HUB}/Model/{LLAMA3_8B}/{LLAMA3_8B_VERSION}",
        "HubContentVersion": LLAMA3_8B_VERSION,
        "HubContentType": "Model",
        "DocumentSchemaVersion": "2.3.0",
        "HubContentDisplayName": "Meta Llama 3 8B",
        "HubContentDescription": "Llama 3 8B pretrained text generation model from Meta, fine-tunable on SageMaker.",
        "HubContentSearchKeywords": ["@task:text-generation", "@framework:huggingface", "@capability:fine-tuning"],
        "HubContentStatus": "Available",
        "CreationTime": LLAMA3_8B_CREATED,
    }]


def _list_hub_contents(self: Any) -> ActionResult:
    contents = _hub_content(self.sagemaker_backend, self._get_param("HubName"), self._get_param("HubContentType"))
    needle = (self._get_param("NameContains") or "").lower()
    return ActionResult({"HubContentSummaries": [c for c in contents if needle in c["HubContentName"].lower()]})


def _describe_hub_content(self: Any) -> ActionResult:
    backend = self.sagemaker_backend
    name = self._get_param("HubContentName")
    for c in _hub_content(backend, self._get_param("HubName"), self._get_param("HubContentType")):
        if c["HubContentName"] == name:
            return ActionResult({
                **{k: v for k, v in c.items() if k != "HubContentSearchKeywords"},
                "HubContentSearchKeywords": c["HubContentSearchKeywords"],
                "HubName": PUBLIC_HUB,
                "HubArn": _hub_arn(backend),
                "HubContentDocument": json.dumps(llama3_8b_document(backend.region_name)),
                "HubContentDependencies": [],
            })
    raise ResourceNotFound(message=f"Hub content {name} does not exist in {PUBLIC_HUB}.")


SageMakerResponse.list_hub_contents = _list_hub_contents  # type: ignore[attr-defined]
SageMakerResponse.describe_hub_content = _describe_hub_content  # type: ignore[attr-defined]

if __name__ == "__main__":
    from moto.server import main

    main(["-H", "127.0.0.1", "-p", sys.argv[1]])
