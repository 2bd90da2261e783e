// The AWS SDK warns about Node.js 20's end of life on every client; the Lambda runtime is Node.js 22.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
