// The one piece of @probot/adapter-aws-lambda-serverless the App uses (app/lambda.ts): its Lambda function,
// which takes the Probot instance as its first argument. The package's index would bring its own Probot 13;
// this file has no types of its own.
declare module '@probot/adapter-aws-lambda-serverless/lambda-function.js' {
  import type { Probot } from 'probot';

  const lambdaFunction: (
    probot: Probot,
    event: {
      httpMethod: string;
      path: string;
      headers: Record<string, string | undefined>;
      body: string;
    },
    context: unknown,
  ) => Promise<{ statusCode: number; body: string }>;
  export default lambdaFunction;
}
