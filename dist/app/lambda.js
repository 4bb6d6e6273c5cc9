import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{AppOctokit,Probot,checkDelivery,createHttpFetch,errorsWithoutBody,keepInstallationOctokits}from"../chunks/chunk-G5DBZG24.js";import"../chunks/chunk-CT32M2NO.js";import{routeThroughEnvProxy}from"../chunks/chunk-JSMNT2NH.js";import{SettingsError,deployApp,settingsFromEnv}from"../chunks/chunk-RFKPMRR2.js";import"../chunks/chunk-K6SZMSYG.js";import"../chunks/chunk-5LY6MZRU.js";import"../chunks/chunk-H4PCSYVA.js";import"../chunks/chunk-GYIYNANV.js";import"../chunks/chunk-2AR5VHTH.js";import"../chunks/chunk-I2G5MPPC.js";import"../chunks/chunk-YZAGP6D2.js";import"../chunks/chunk-525DY3QO.js";import"../chunks/chunk-KKISR5GC.js";import"../chunks/chunk-2TXV75LG.js";import"../chunks/chunk-RNBLACRA.js";import"../chunks/chunk-BLHMTFXW.js";import"../chunks/chunk-3X6IWKRF.js";import"../chunks/chunk-L3FEGPJW.js";import"../chunks/chunk-UMNKLUYS.js";import"../chunks/chunk-HCQANAHX.js";import"../chunks/chunk-TJWLVCYV.js";import"../chunks/chunk-BFQQJFUJ.js";import"../chunks/chunk-VTKNCPY3.js";import"../chunks/chunk-AIZKLPG7.js";import"../chunks/chunk-WGAIDXP6.js";import"../chunks/chunk-XJENE5UF.js";import"../chunks/chunk-LVXHE7UA.js";import"../chunks/chunk-ZLKC3J4S.js";import"../chunks/chunk-QV7HJ7ND.js";import"../chunks/chunk-OHORHC63.js";import"../chunks/chunk-LWDGGKY7.js";import"../chunks/chunk-H4EMWDEL.js";import"../chunks/chunk-NEAYESRC.js";import"../chunks/chunk-LC7IWJK6.js";import"../chunks/chunk-UNOYCPPP.js";import"../chunks/chunk-APEIGIE2.js";import"../chunks/chunk-5NZ3CWW2.js";import"../chunks/chunk-TMBCT5UA.js";import"../chunks/chunk-J6JDQUCT.js";import"../chunks/chunk-ZDTQMZV7.js";import"../chunks/chunk-SVJJEYC4.js";import"../chunks/chunk-IMJLCGQA.js";import"../chunks/chunk-KSTGQLWK.js";import"../chunks/chunk-SSKS3AG3.js";import"../chunks/chunk-OW7EKMLH.js";import"../chunks/chunk-GCYAEPDX.js";import{__commonJS,__toESM}from"../chunks/chunk-YZASLWB7.js";var require_lowercase_keys=__commonJS({"node_modules/lowercase-keys/index.js"(exports,module){"use strict";module.exports=object=>{let result={};for(let[key,value]of Object.entries(object))result[key.toLowerCase()]=value;return result}}});var require_probot=__commonJS({"node_modules/@probot/adapter-aws-lambda-serverless/views/probot.js"(exports,module){module.exports.template=`
<!DOCTYPE html>
<html lang="en" class="height-full">
  <head>
    <meta charset="UTF-8">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <meta http-equiv="X-UA-Compatible" content="ie=edge">
    <title>Built with Probot</title>
    <link rel="stylesheet" href="https://probot.github.io/assets/dist/styles.css">
  </head>
  <body class="height-full bg-gray-light">
    <div class="d-flex flex-column flex-justify-center flex-items-center text-center height-full">
      <img src="https://probot.github.io/assets/img/logo.png" alt="Probot Logo" width="100" class="mb-6">
      <div class="box-shadow rounded-2 border p-6 bg-white">
        <h1>
          Welcome to Probot!
        </h1>
        <p>This bot was built using <a href="https://github.com/probot/probot">Probot</a>, a framework for building GitHub Apps.</p>
      </div>

      <div class="mt-4">
        <h4 class="alt-h4 text-gray-light">Need help?</h4>
        <div class="d-flex flex-justify-center mt-2">
          <a href="https://probot.github.io/docs/" class="btn btn-outline mr-2">Documentation</a>
        </div>
      </div>
    </div>
  </body>
</html>
`}});var require_lambda_function=__commonJS({"node_modules/@probot/adapter-aws-lambda-serverless/lambda-function.js"(exports,module){module.exports=lambdaFunction2;var lowercaseKeys=require_lowercase_keys(),{template}=require_probot();async function lambdaFunction2(probot,event,context){if(event.httpMethod==="GET"&&event.path==="/probot")return{statusCode:200,headers:{"Content-Type":"text/html"},body:template};let headersLowerCase=lowercaseKeys(event.headers);return await probot.webhooks.verifyAndReceive({id:headersLowerCase["x-github-delivery"],name:headersLowerCase["x-github-event"],signature:headersLowerCase["x-hub-signature-256"]||headersLowerCase["x-hub-signature"],payload:event.body}),{statusCode:200,body:JSON.stringify({ok:!0})}}}});var import_lambda_function=__toESM(require_lambda_function(),1);var answer=(statusCode,body)=>({statusCode,headers:{"content-type":"application/json"},body:JSON.stringify(body)});function createLambdaHandler(options){let{probot}=options,loaded=probot.load(errorsWithoutBody(options.appFn));return async(event,context)=>{try{return await invoke(event,context)}finally{options.closeIdle?.()}};async function invoke(event,context){await loaded;let delivery=await checkDelivery(probot,event);if(!delivery.ok)return answer(delivery.status,delivery.body);let{id,name}=delivery;try{let result=await(0,import_lambda_function.default)(probot,{httpMethod:"POST",path:"/",headers:{"x-github-delivery":id,"x-github-event":name,"x-hub-signature-256":delivery.signature},body:delivery.body},context);return answer(result.statusCode,{ok:!0,delivery:id})}catch{return answer(500,{error:"handler_failed",message:"the app failed to handle this delivery",delivery:id})}}}var cold;async function coldStart(env){let settings=settingsFromEnv(env),proxy=routeThroughEnvProxy(env);proxy.kind==="unsupported"&&console.warn(proxy.message);let fetch=createHttpFetch(),probot=new Probot({appId:settings.appId,privateKey:settings.privateKey,secret:settings.webhookSecret,baseUrl:settings.baseUrl,logLevel:settings.logLevel,logFormat:settings.logFormat??"json",Octokit:AppOctokit,request:{fetch}});return await keepInstallationOctokits(probot),createLambdaHandler({probot,appFn:deployApp({markerKeys:settings.markerKeys}),closeIdle:()=>fetch.closeIdle()})}var handler=async(event,context)=>{cold??=coldStart(process.env);let ready;try{ready=await cold}catch(error){if(cold=void 0,!(error instanceof SettingsError))throw error;return console.error(error.message),answer(500,{error:"settings_invalid",message:error.message})}return ready(event,context)};export{createLambdaHandler,handler};
