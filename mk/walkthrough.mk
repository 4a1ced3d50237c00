# Bring your own model and data (README): a torchvision teacher trained in
# PyTorch, as ONNX, through hant import/transform/export, then teacher and
# student in onnxruntime. WALK_SPEEDUP=3, WALK_ARGS, WALK_RETRAIN=1: see
# examples/walkthrough/walkthrough.sh.
.PHONY: walkthrough
walkthrough: hant data
	sh examples/walkthrough/walkthrough.sh
