"""The early-warning forecast (风险预测): what a model sees of an enterprise in a period, and the model
that turns it into the chance that its grade falls next period."""
