// We pin an AWS SDK release that supports Node 20; its notice about 2027 releases is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
